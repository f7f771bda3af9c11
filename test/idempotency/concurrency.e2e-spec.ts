import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import type { RunningGateway } from '../support/gateway';
import {
  callGateway,
  gatewayEnv,
  newKey,
  newMember,
  PAR,
  startGateway,
  tokenFor,
} from '../support/gateway';
import {
  classify,
  konaCalls,
  LIMITS,
  LIMITS_PATH,
  putLimits,
  REGISTRATION_PATH,
} from './idempotent-calls';
import { waitFor } from './wait';

const CONCURRENT = 50;
/** Long enough that all requests arrive while the first call is still at KONA. */
const OVERLAP_MS = 600;

/** Behaviours 1-7 of the idempotency issue, from outside: one sandbox, one real Redis. */
describe('idempotent requests against the KONA sandbox and a real Redis', () => {
  let sandbox: RunningSandbox;
  let gateway: RunningGateway;
  let second: RunningGateway;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
    const env = gatewayEnv(sandbox.url, {
      KONAPLATE_TIMEOUT_MS: '1000',
      UPSTREAM_BREAKER_THRESHOLD: '1000',
    });
    gateway = await startGateway(env);
    second = await startGateway(env);
  });

  afterAll(async () => {
    await gateway?.close();
    await second?.close();
    await sandbox?.close();
  });

  afterEach(() => sandbox.clearFaults());

  it(`makes exactly one KONA call for ${CONCURRENT} concurrent requests with one key`, async () => {
    const member = newMember();
    const token = await tokenFor(member);
    const key = newKey();
    sandbox.setFault({ mode: 'latency', userId: member, latencyMs: OVERLAP_MS });

    const answers = await Promise.all(
      Array.from({ length: CONCURRENT }, () => putLimits(gateway, token, key)),
    );

    const calls = konaCalls(sandbox, member);
    expect(calls).toHaveLength(1);
    const { fresh, replays, inUse, other } = classify(answers);
    expect(other.map((a) => `${a.status} ${a.text}`)).toEqual([]);
    expect(fresh).toHaveLength(1);
    expect(inUse.length).toBeGreaterThan(0);
    expect(inUse.length + replays.length).toBe(CONCURRENT - 1);
    const [first] = fresh;
    expect(first.body).toEqual({ limits: LIMITS });
    expect(first.headers.get('x-correlation-id')).toBe(calls[0].correlationId);
    for (const busy of inUse) {
      expect(Number(busy.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(busy.headers.get('x-correlation-id')).toBe(calls[0].correlationId);
    }
    for (const replay of replays) {
      expect(replay.text).toBe(first.text);
      expect(replay.headers.get('x-correlation-id')).toBe(calls[0].correlationId);
    }

    const retry = await putLimits(gateway, token, key);

    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('x-correlation-id')).toBe(calls[0].correlationId);
    expect(retry.text).toBe(first.text);
    expect(konaCalls(sandbox, member)).toHaveLength(1);
  });

  it('makes exactly one KONA call when two app instances on one Redis race for a key', async () => {
    const member = newMember();
    const token = await tokenFor(member);
    const key = newKey();
    sandbox.setFault({ mode: 'latency', userId: member, latencyMs: OVERLAP_MS });

    const answers = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => putLimits(i % 2 ? second : gateway, token, key)),
    );
    const retry = await putLimits(second, token, key);

    const calls = konaCalls(sandbox, member);
    expect(calls).toHaveLength(1);
    const { fresh, replays, inUse, other } = classify(answers);
    expect(other.map((a) => `${a.status} ${a.text}`)).toEqual([]);
    expect(fresh).toHaveLength(1);
    expect(inUse.length + replays.length).toBe(CONCURRENT - 1);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('x-correlation-id')).toBe(calls[0].correlationId);
    expect(retry.text).toBe(fresh[0].text);
  });

  it('answers a different body with the same key with 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const member = newMember();
    const token = await tokenFor(member);
    const key = newKey();
    await putLimits(gateway, token, key);

    const answer = await putLimits(gateway, token, key, { ...LIMITS, daily: LIMITS.daily + 1 });

    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(konaCalls(sandbox, member)).toHaveLength(1);
  });

  it('answers the same key on the other endpoint, or on another card, with 422', async () => {
    const member = newMember();
    const token = await tokenFor(member);
    const key = newKey();
    await putLimits(gateway, token, key);

    const registration = await callGateway(gateway, 'POST', REGISTRATION_PATH, {
      token,
      key,
      body: { identityVerified: true },
    });
    const otherCard = await callGateway(gateway, 'PUT', `/v1/me/cards/${'B'.repeat(27)}/limits`, {
      token,
      key,
      body: LIMITS,
    });

    expect([registration.status, registration.body.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    expect([otherCard.status, otherCard.body.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    expect(konaCalls(sandbox, member)).toHaveLength(1);
  });

  it('checks the fingerprint before the in-flight state: 422 for another body, 409 for the same', async () => {
    const member = newMember();
    const token = await tokenFor(member);
    const key = newKey();
    sandbox.setFault({ mode: 'latency', userId: member, latencyMs: OVERLAP_MS });
    const first = putLimits(gateway, token, key);
    await waitFor('the first call to reach KONA', () => konaCalls(sandbox, member).length === 1);

    const reused = await putLimits(gateway, token, key, { ...LIMITS, monthly: 1 });
    const busy = await putLimits(gateway, token, key);

    expect([reused.status, reused.body.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    expect([busy.status, busy.body.code]).toEqual([409, 'IDEMPOTENCY_KEY_IN_USE']);
    expect(Number(busy.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await first).status).toBe(200);
    expect(konaCalls(sandbox, member)).toHaveLength(1);
  });

  it('treats the quoted structured-field form as the same key', async () => {
    const member = newMember();
    const token = await tokenFor(member);
    const key = newKey();
    const first = await putLimits(gateway, token, key);

    const quoted = await putLimits(gateway, token, `"${key}"`);

    expect(first.status).toBe(200);
    expect(quoted.headers.get('idempotent-replayed')).toBe('true');
    expect(quoted.text).toBe(first.text);
    expect(konaCalls(sandbox, member)).toHaveLength(1);
  });

  it('fingerprints the path values, not their spelling: a percent-encoded PAR is the same card', async () => {
    const member = newMember();
    const token = await tokenFor(member);
    const key = newKey();
    const first = await putLimits(gateway, token, key);
    const encoded = `/v1/me/cards/${PAR.slice(0, -1)}%${PAR.charCodeAt(26).toString(16)}/limits`;

    const again = await callGateway(gateway, 'PUT', encoded, { token, key, body: LIMITS });

    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(konaCalls(sandbox, member)).toHaveLength(1);
  });

  it('lets two members use the same key independently', async () => {
    const [one, two] = [newMember(), newMember()];
    const key = newKey();

    const a = await putLimits(gateway, await tokenFor(one), key);
    const b = await putLimits(gateway, await tokenFor(two), key, { ...LIMITS, monthly: 1 });

    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.headers.get('idempotent-replayed')).toBeNull();
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect(konaCalls(sandbox, one)).toHaveLength(1);
    expect(konaCalls(sandbox, two)).toHaveLength(1);
    expect(a.headers.get('x-correlation-id')).not.toBe(b.headers.get('x-correlation-id'));
  });

  it('replays a definitive business error with its status, body and correlation id', async () => {
    const member = '1001006';
    const token = await tokenFor(member);
    const key = newKey();
    const before = konaCalls(sandbox, member).length;
    const first = await putLimits(gateway, token, key);

    const retry = await putLimits(gateway, token, key);

    expect(first.status).toBe(404);
    expect(first.body).toMatchObject({ code: 'WALLET_USER_NOT_FOUND', upstreamCode: '001_006' });
    const calls = konaCalls(sandbox, member).slice(before);
    expect(calls).toHaveLength(1);
    expect(first.headers.get('x-correlation-id')).toBe(calls[0].correlationId);
    expect(retry.status).toBe(404);
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(retry.headers.get('x-correlation-id')).toBe(calls[0].correlationId);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });

  it.each([
    ['an upstream 5xx', { mode: '5xx' } as const, 502],
    ['a malformed answer', { mode: 'malformed' } as const, 502],
    ['a timeout', { mode: 'hang' } as const, 504],
  ])(
    'after %s, lets a retry with the same key call KONA again with the same correlation id',
    async (_, fault, status) => {
      const member = newMember();
      const token = await tokenFor(member);
      const key = newKey();
      sandbox.setFault({ ...fault, userId: member, times: 1 });
      const failed = await putLimits(gateway, token, key);

      const retry = await putLimits(gateway, token, key);
      const replay = await putLimits(gateway, token, key);

      const calls = konaCalls(sandbox, member);
      expect(failed.status).toBe(status);
      expect(calls).toHaveLength(2);
      expect(calls[0].fault).toBe(fault.mode);
      expect(calls[1].correlationId).toBe(calls[0].correlationId);
      expect(failed.headers.get('x-correlation-id')).toBe(calls[0].correlationId);
      expect(retry.status).toBe(200);
      expect(retry.headers.get('idempotent-replayed')).toBeNull();
      expect(retry.headers.get('x-correlation-id')).toBe(calls[0].correlationId);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.text).toBe(retry.text);
    },
  );

  it('neither claims nor burns a key for requests rejected before the call', async () => {
    const member = newMember();
    const token = await tokenFor(member);
    const key = newKey();
    const put = (options: Parameters<typeof callGateway>[3], path = LIMITS_PATH) =>
      callGateway(gateway, 'PUT', path, { token, key, body: LIMITS, ...options });

    const rejected = [
      await put({ token: await tokenFor(member, { secret: 'x'.repeat(40) }) }),
      await put({ token: null }),
      await put({ body: { ...LIMITS, daily: -1 } }),
      await put({ body: { ...LIMITS, extra: 1 } }),
      await put({ body: [LIMITS] }),
      await put({ rawBody: '{"perTransaction":' }),
      await put({ rawBody: JSON.stringify(LIMITS), contentType: 'text/plain' }),
      await put({}, '/v1/me/cards/not-a-par/limits'),
      await put({ key: null }),
      await put({ key: '"unterminated' }),
    ];
    const accepted = await put({});

    expect(rejected.map((a) => a.status)).toEqual([
      401, 401, 400, 400, 400, 400, 415, 400, 400, 400,
    ]);
    expect(rejected.slice(-2).map((a) => a.body.code)).toEqual([
      'IDEMPOTENCY_KEY_MISSING',
      'IDEMPOTENCY_KEY_INVALID',
    ]);
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get('idempotent-replayed')).toBeNull();
    expect(konaCalls(sandbox, member)).toHaveLength(1);
  });
});
