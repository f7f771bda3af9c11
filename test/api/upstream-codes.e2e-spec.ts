/**
 * How each KONA answer reaches the app: documented codes mapped per endpoint, an unknown code,
 * and the sandbox's faults (5xx, malformed body, reset, hang, slow drip, nobody listening). Each
 * answer is checked as problem+json against the Errors table of the mobile API contract.
 */
import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import { freePort } from '../support/free-port';
import type { RunningGateway } from '../support/gateway';
import { gatewayEnv, newMember, startGateway } from '../support/gateway';
import {
  CORRELATION_ID,
  expectProblem,
  expectUpstreamProblem,
  register,
  updateLimits,
} from './mobile-api';

/** Short, so waiting for it keeps the suite fast. */
const TIMEOUT_MS = 500;
/** Scheduling slack on a busy 2-core machine; still far below a second timeout period. */
const MARGIN_MS = 1500;
/** A breaker (if any) must not turn the many faults of this suite into 503s. */
const NO_BREAKER = { UPSTREAM_BREAKER_THRESHOLD: '1000' };

let sandbox: RunningSandbox;
let gateway: RunningGateway;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
  gateway = await startGateway(
    gatewayEnv(sandbox.url, { ...NO_BREAKER, KONAPLATE_TIMEOUT_MS: String(TIMEOUT_MS) }),
  );
});

afterEach(() => {
  sandbox.clearFaults();
});

afterAll(async () => {
  await gateway?.close();
  await sandbox?.close();
});

describe('documented KONA codes', () => {
  it.each([
    ['registration', register],
    ['limits update', updateLimits],
  ])('001_006 on the %s becomes 404 WALLET_USER_NOT_FOUND', async (_, send) => {
    const answer = await send(gateway, '1001006');

    expectUpstreamProblem(answer, 404, 'WALLET_USER_NOT_FOUND', sandbox, '1001006');
    expect(answer.body.upstreamCode).toBe('001_006');
  });

  it('011_001 on the registration becomes 422 IDENTITY_VERIFICATION_REQUIRED', async () => {
    const answer = await register(gateway, '1011001');

    expectUpstreamProblem(answer, 422, 'IDENTITY_VERIFICATION_REQUIRED', sandbox, '1011001');
    expect(answer.body.upstreamCode).toBe('011_001');
  });

  it('003_024 on the limits update becomes 422 ACCOUNT_NOT_LINKED', async () => {
    const answer = await updateLimits(gateway, '1003024');

    expectUpstreamProblem(answer, 422, 'ACCOUNT_NOT_LINKED', sandbox, '1003024');
    expect(answer.body.upstreamCode).toBe('003_024');
  });

  it('000_002 on the limits update becomes 400 INVALID_INPUT', async () => {
    const answer = await updateLimits(gateway, '1000002');

    expectUpstreamProblem(answer, 400, 'INVALID_INPUT', sandbox, '1000002');
    expect(answer.body.upstreamCode).toBe('000_002');
  });

  it.each([
    ['registration', register],
    ['limits update', updateLimits],
  ])(
    'an unknown code on the %s becomes 502 UPSTREAM_ERROR carrying the code and KONA’s message',
    async (_, send) => {
      const answer = await send(gateway, '1999999');

      expectUpstreamProblem(answer, 502, 'UPSTREAM_ERROR', sandbox, '1999999');
      expect(answer.body.upstreamCode).toBe('999_999');
      expect(answer.body.detail).toContain('Sandbox undocumented error');
    },
  );

  it('does not remember an unmapped code: a retry with the key asks KONA again, same correlation id', async () => {
    const key = `unmapped-${Date.now()}`;
    const first = await updateLimits(gateway, '1999999', { key });
    const retry = await updateLimits(gateway, '1999999', { key });

    expect([first.status, retry.status]).toEqual([502, 502]);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    const calls = sandbox.calls
      .list({ userId: '1999999' })
      .filter((c) => c.correlationId === first.headers.get('x-correlation-id'));
    expect(calls).toHaveLength(2);
  });

  it.each([
    ['registration', register, '003_024'],
    ['limits update', updateLimits, '011_001'],
  ])(
    'a code documented only for the other endpoint is unknown on the %s: 502 UPSTREAM_ERROR',
    async (_, send, code) => {
      const answer = await send(gateway, '1003999');

      expectUpstreamProblem(answer, 502, 'UPSTREAM_ERROR', sandbox, '1003999');
      expect(answer.body.upstreamCode).toBe(code);
    },
  );
});

describe('KONA faults', () => {
  it.each([500, 503])('an HTTP %i page from KONA becomes 502 UPSTREAM_ERROR', async (status) => {
    const member = newMember();
    sandbox.setFault({ mode: '5xx', status, userId: member });

    const answer = await register(gateway, member);

    expectUpstreamProblem(answer, 502, 'UPSTREAM_ERROR', sandbox, member);
    expect(answer.text).not.toContain('<html>');
  });

  it('a malformed (truncated) KONA body becomes 502 UPSTREAM_ERROR', async () => {
    const member = newMember();
    sandbox.setFault({ mode: 'malformed', userId: member });

    const answer = await updateLimits(gateway, member);

    expectUpstreamProblem(answer, 502, 'UPSTREAM_ERROR', sandbox, member);
  });

  it('a connection reset by KONA becomes 502 UPSTREAM_ERROR', async () => {
    const member = newMember();
    sandbox.setFault({ mode: 'reset', userId: member });

    const answer = await register(gateway, member);

    expectUpstreamProblem(answer, 502, 'UPSTREAM_ERROR', sandbox, member);
  });

  it('KONA saying nothing becomes 504 UPSTREAM_TIMEOUT once KONAPLATE_TIMEOUT_MS has passed', async () => {
    const member = newMember();
    sandbox.setFault({ mode: 'hang', userId: member });
    const started = performance.now();

    const answer = await register(gateway, member);

    const elapsed = performance.now() - started;
    expectUpstreamProblem(answer, 504, 'UPSTREAM_TIMEOUT', sandbox, member);
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
  });

  it('a body dripped slower than the timeout becomes 504: the deadline covers the body too', async () => {
    const member = newMember();
    // Headers at once, then one byte at a time over 6 s: only a whole-request deadline stops it.
    sandbox.setFault({ mode: 'drip', latencyMs: 6000, userId: member });
    const started = performance.now();

    const answer = await updateLimits(gateway, member);

    const elapsed = performance.now() - started;
    expectUpstreamProblem(answer, 504, 'UPSTREAM_TIMEOUT', sandbox, member);
    expect(sandbox.calls.list({ userId: member })[0].fault).toBe('drip');
    expect(elapsed).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
  });

  it('answers normally again once the fault is gone', async () => {
    const member = newMember();
    sandbox.setFault({ mode: '5xx', userId: member, times: 1 });
    await register(gateway, member);

    const answer = await register(gateway, member);

    expect(answer.status).toBe(200);
  });
});

describe('KONA unreachable', () => {
  let unreachable: RunningGateway;

  beforeAll(async () => {
    const closedPort = await freePort();
    unreachable = await startGateway(
      gatewayEnv(`http://127.0.0.1:${closedPort}`, {
        ...NO_BREAKER,
        KONAPLATE_TIMEOUT_MS: String(TIMEOUT_MS),
      }),
    );
  });

  afterAll(async () => {
    await unreachable?.close();
  });

  it.each([
    ['registration', register],
    ['limits update', updateLimits],
  ])(
    'a refused connection on the %s becomes 503 UPSTREAM_UNAVAILABLE with Retry-After',
    async (_, send) => {
      const answer = await send(unreachable, newMember());

      expectProblem(answer, 503, 'UPSTREAM_UNAVAILABLE');
      expect(answer.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(answer.body.correlationId).toMatch(CORRELATION_ID);
      expect(answer.headers.get('x-correlation-id')).toBe(answer.body.correlationId);
    },
  );
});
