/**
 * The mobile team's way in: a TypeScript client generated from the committed openapi.json
 * (openapi-typescript types + openapi-fetch) calls every operation of the contract on a real
 * listening gateway (real Redis, the KONA sandbox with message encryption). The typed answers are
 * asserted, and every answer is also checked against openapi.json at run time
 * (test/support/contract.ts): a server that drifts from its contract fails here even where the
 * generated types still compile.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { RunningSandbox } from '../sandbox/sandbox.server';
import { CORRELATION_ID } from '../api/mobile-api';
import { answerProblems, contractOperations } from '../support/contract';
import type { RunningGateway } from '../support/gateway';
import { newKey, newMember, PAR, tokenFor } from '../support/gateway';
// Committed, not generated in memory at test time: `npm run typecheck` (CI) compiles this file
// against these types, so they must be on disk. A `.ts`, not a `.d.ts`: skipLibCheck would skip
// checking the generated code itself. The first test fails when they are stale.
import type { components, paths } from '../support/generated/api';
import { messageKeys } from '../support/message-keys';
import { useStack } from '../support/stack';

type Schemas = components['schemas'];
type Problem = Schemas['ProblemSchema'];

const ROOT = join(__dirname, '..', '..');
const keys = messageKeys();
let sandbox: RunningSandbox;
let gateway: RunningGateway;
let client: Client<paths>;

useStack((started) => ({ sandbox, gateway } = started), keys.gatewayEnv, keys.sandboxOptions);

/** The operations this file called, as `METHOD /template`, to prove it called them all. */
const called = new Set<string>();
/** Fails the call whose answer departs from openapi.json (status, content type, headers, body). */
const contractCheck: Middleware = {
  async onResponse({ request, schemaPath, response }) {
    called.add(`${request.method} ${schemaPath}`);
    const problems = await answerProblems(request.method, schemaPath, response);
    if (problems.length > 0) throw new Error(`answer off contract:\n${problems.join('\n')}`);
  },
};

beforeAll(() => {
  client = createClient<paths>({ baseUrl: gateway.url });
  client.use(contractCheck);
});

const bearer = async (member: string) => ({ Authorization: `Bearer ${await tokenFor(member)}` });
const idempotent = (key = newKey()) => ({ 'Idempotency-Key': key });

describe('the generated types', () => {
  it('are what openapi-typescript makes of the committed openapi.json (npm run openapi)', () => {
    const cli = join(ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
    const out = join('test', 'support', 'generated', 'api.ts');

    const check = spawnSync(process.execPath, [cli, 'openapi.json', '-o', out, '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
    });

    expect(check.status === 0 ? 'up to date' : `${out} is stale: run \`npm run openapi\``).toBe(
      'up to date',
    );
  });
});

describe('a client generated from openapi.json, against the running gateway', () => {
  it('POST /v1/me/real-name-registration registers once; a retry with the key replays it', async () => {
    const member = newMember();
    const register = async (key: string) =>
      client.POST('/v1/me/real-name-registration', {
        params: { header: idempotent(key) },
        headers: await bearer(member),
        body: { identityVerified: true },
      });
    const key = newKey();

    const first = await register(key);
    const replay = await register(key);

    const expected: Schemas['RealNameRegistrationResponse'] = { realNameRegistered: true };
    expect(first.response.status).toBe(200);
    expect(first.data).toEqual(expected);
    expect(first.response.headers.get('X-Correlation-Id')).toMatch(CORRELATION_ID);
    expect(first.response.headers.get('Idempotent-Replayed')).toBeNull();
    expect(replay.data).toEqual(expected);
    expect(replay.response.headers.get('Idempotent-Replayed')).toBe('true');
    expect(replay.response.headers.get('X-Correlation-Id')).toBe(
      first.response.headers.get('X-Correlation-Id'),
    );
    expect(sandbox.calls.list({ userId: member })).toHaveLength(1);
  });

  it('PUT /v1/me/cards/{par}/limits takes int64 limits past 2^31, and GET /v1/me/cards shows them', async () => {
    const member = newMember();
    const limits: Schemas['CardLimitsRequest'] = {
      perTransaction: 2_500_000_000,
      daily: 5_000_000_000,
      monthly: 9_999_999_999,
    };

    const updated = await client.PUT('/v1/me/cards/{par}/limits', {
      params: { path: { par: PAR }, header: idempotent() },
      headers: await bearer(member),
      body: limits,
    });
    const listed = await client.GET('/v1/me/cards', { headers: await bearer(member) });

    expect(updated.response.status).toBe(200);
    expect(updated.data).toEqual({ limits });
    expect(updated.response.headers.get('X-Correlation-Id')).toMatch(CORRELATION_ID);
    expect(updated.response.headers.get('RateLimit-Limit')).toMatch(/^\d+$/);
    expect(listed.response.status).toBe(200);
    expect(listed.response.headers.get('Cache-Control')).toBe('private, no-store');
    expect(listed.response.headers.get('X-Correlation-Id')).toMatch(CORRELATION_ID);
    const card: Schemas['CardView'] | undefined = listed.data?.cards.find((c) => c.par === PAR);
    expect(card).toEqual({
      par: PAR,
      named: true,
      balance: expect.any(Number) as number,
      pendingAmount: expect.any(Number) as number,
      limits,
      status: 'active',
    });
  });

  it('PUT /v1/me/cards/{par}/status suspends the card and makes it active again', async () => {
    const member = newMember();
    const setStatus = async (status: Schemas['CardStatusRequest']['status']) =>
      client.PUT('/v1/me/cards/{par}/status', {
        params: { path: { par: PAR }, header: idempotent() },
        headers: await bearer(member),
        body: { status },
      });
    const statusOfCard = async () =>
      (await client.GET('/v1/me/cards', { headers: await bearer(member) })).data?.cards.find(
        (c) => c.par === PAR,
      )?.status;

    const suspended = await setStatus('suspended');
    const whileSuspended = await statusOfCard();
    const active = await setStatus('active');

    const expected: Schemas['CardStatusResponse'] = { status: 'suspended' };
    expect(suspended.response.status).toBe(200);
    expect(suspended.data).toEqual(expected);
    expect(suspended.response.headers.get('X-Correlation-Id')).toMatch(CORRELATION_ID);
    expect(whileSuspended).toBe('suspended');
    expect(active.data).toEqual({ status: 'active' });
    expect(await statusOfCard()).toBe('active');
  });

  it("answers a KONA refusal as the contract's problem: 404 WALLET_USER_NOT_FOUND", async () => {
    const { data, error, response } = await client.POST('/v1/me/real-name-registration', {
      params: { header: idempotent() },
      headers: await bearer('1001006'),
      body: { identityVerified: true },
    });

    const problem: Problem | undefined = error;
    expect(data).toBeUndefined();
    expect(response.status).toBe(404);
    expect(response.headers.get('Content-Type')).toMatch(/^application\/problem\+json\b/);
    expect(problem).toEqual({
      type: 'https://kona-bff.dev/problems/wallet-user-not-found',
      title: expect.any(String) as string,
      status: 404,
      detail: expect.any(String) as string,
      code: 'WALLET_USER_NOT_FOUND',
      correlationId: response.headers.get('X-Correlation-Id'),
      upstreamCode: '001_006',
      // No requestId: a KONA refusal on a mutating route is stored and replayed as it is.
    });
    expect(problem?.correlationId).toMatch(CORRELATION_ID);
  });

  it('answers a limit beyond the contract as a problem naming the field: 400 VALIDATION_FAILED', async () => {
    const member = newMember();

    const { error, response } = await client.PUT('/v1/me/cards/{par}/limits', {
      params: { path: { par: PAR }, header: idempotent() },
      headers: await bearer(member),
      body: { perTransaction: 0, daily: 10_000_000_000, monthly: 0 },
    });

    const problem: Problem | undefined = error;
    expect(response.status).toBe(400);
    expect(problem?.code).toBe('VALIDATION_FAILED');
    expect(problem?.errors?.map((e) => e.field)).toEqual(['daily']);
    // Refused before any KONA transaction: no correlation id, and KONA saw nothing.
    expect(response.headers.get('X-Correlation-Id')).toBeNull();
    expect(sandbox.calls.list({ userId: member })).toEqual([]);
  });

  it('answers a call without a token as the problem 401 UNAUTHENTICATED with a Bearer challenge', async () => {
    const { error, response } = await client.GET('/v1/me/cards');

    const problem: Problem | undefined = error;
    expect(response.status).toBe(401);
    expect(problem?.code).toBe('UNAUTHENTICATED');
    expect(response.headers.get('WWW-Authenticate')).toMatch(/^Bearer\b/);
  });

  // Last: the tests above must have reached every operation openapi.json describes.
  it('has called every operation of the contract', () => {
    expect([...called].sort()).toEqual(contractOperations().sort());
  });
});
