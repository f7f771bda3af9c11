/**
 * KONA PLATE failing in each way the sandbox can fail (hang, slow drip, 5xx, malformed answer,
 * reset, refused connection), seen from outside: how long a caller waits, what it is told, how
 * many calls KONA receives, and the circuit breaker opening and closing again.
 *
 * Every gateway here has a 400 ms timeout, a breaker threshold of 3 and a 1 s cool-down. A breaker
 * is per operation and per process, so each breaker test boots its own gateway.
 */
import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import { freePort } from '../support/free-port';
import type { RunningGateway } from '../support/gateway';
import { gatewayEnv, newMember, startGateway } from '../support/gateway';
import { waitFor } from '../idempotency/wait';
import { expectProblem, register, updateLimits, type Answer } from '../api/mobile-api';
import { metric, sleep, timed, withGateway } from './resilience-support';
import { startTcpTap, type TcpTap } from './tcp-tap';

const TIMEOUT_MS = 400;
const THRESHOLD = 3;
const COOLDOWN_MS = 1000;
/** What a caller may wait beyond the timeout: scheduling, the problem answer, the test's own fetch. */
const MARGIN_MS = 300;
/**
 * An open circuit answers without waiting for KONA: well under the timeout, with room for a CI
 * machine busy with other suites (50 ms was missed at 72 ms under load). That no call was made
 * is asserted from the sandbox's log, not from the clock.
 */
const FAST_MS = TIMEOUT_MS / 2;
const LIMITS_OP = 'operation="card-limit-update"';

let sandbox: RunningSandbox;
let tap: TcpTap;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
  tap = await startTcpTap(sandbox.port);
});

afterEach(() => {
  sandbox.clearFaults();
});

afterAll(async () => {
  await tap?.close();
  await sandbox?.close();
});

function faultEnv(upstreamUrl: string, overrides: Record<string, string> = {}) {
  return gatewayEnv(upstreamUrl, {
    KONAPLATE_TIMEOUT_MS: String(TIMEOUT_MS),
    UPSTREAM_BREAKER_THRESHOLD: String(THRESHOLD),
    UPSTREAM_BREAKER_COOLDOWN_MS: String(COOLDOWN_MS),
    ...overrides,
  });
}

function circuitState(gateway: RunningGateway): Promise<number | undefined> {
  return metric(gateway, 'konaplate_circuit_state', LIMITS_OP);
}

/** Three failing limit updates in a row (KONA answers 5xx to `sick`): the limits circuit opens. */
async function openLimitsCircuit(gateway: RunningGateway, sick: string): Promise<void> {
  sandbox.setFault({ mode: '5xx', userId: sick });
  for (let i = 0; i < THRESHOLD; i++) {
    expectProblem(await updateLimits(gateway, sick), 502, 'UPSTREAM_ERROR');
  }
}

/** A 503 UPSTREAM_UNAVAILABLE from the open circuit: Retry-After is the cool-down, in seconds. */
function expectCircuitOpen(answer: Answer): void {
  expectProblem(answer, 503, 'UPSTREAM_UNAVAILABLE');
  expect(answer.headers.get('retry-after')).toBe(String(Math.ceil(COOLDOWN_MS / 1000)));
}

describe('a KONA that hangs or drips', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    // Through the tap, and with a breaker that never opens: these tests are about the timeout.
    gateway = await startGateway(faultEnv(tap.url, { UPSTREAM_BREAKER_THRESHOLD: '1000' }));
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('answers a call within the timeout normally (so the timeouts below are not eager)', async () => {
    const member = newMember();
    sandbox.setFault({ mode: 'latency', userId: member, latencyMs: TIMEOUT_MS / 2 });

    const { answer, ms } = await timed(() => updateLimits(gateway, member));

    expect(answer.status).toBe(200);
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS / 2);
  });

  it('costs each of several waiting callers at most the timeout plus a little: 504', async () => {
    const member = newMember();
    sandbox.setFault({ mode: 'hang', userId: member });

    const results = await Promise.all(
      Array.from({ length: 4 }, () => timed(() => updateLimits(gateway, member))),
    );

    for (const { answer, ms } of results) {
      expectProblem(answer, 504, 'UPSTREAM_TIMEOUT');
      expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
      expect(ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    }
    // No retry after a timeout: KONA may have acted, and that belongs to the idempotency layer.
    const calls = sandbox.calls.list({ userId: member });
    expect(calls).toHaveLength(4);
    expect(calls.every((call) => call.fault === 'hang')).toBe(true);
  });

  it('closes the socket of a hung call, not only the promise, and keeps working after', async () => {
    const member = newMember();
    sandbox.setFault({ mode: 'hang', userId: member });
    const started = performance.now();

    const { answer } = await timed(() => updateLimits(gateway, member));

    expectProblem(answer, 504, 'UPSTREAM_TIMEOUT');
    const [connection] = tap.carrying(member);
    const closedAt = await waitFor('the hung connection to close', () => connection.closedAt, {
      timeoutMs: 1000,
    });
    expect(closedAt - started).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    expect(tap.carrying(member)).toHaveLength(1);

    sandbox.clearFaults();
    const after = await updateLimits(gateway, member);
    expect(after.status).toBe(200);
  });

  it('gives up on a slow drip longer than the timeout in time, closing the socket', async () => {
    const member = newMember();
    sandbox.setFault({ mode: 'drip', userId: member, latencyMs: 5 * TIMEOUT_MS });
    const started = performance.now();

    const { answer, ms } = await timed(() => updateLimits(gateway, member));

    expectProblem(answer, 504, 'UPSTREAM_TIMEOUT');
    expect(ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    // The status line and headers had arrived: only a deadline over the whole exchange stops this.
    expect(sandbox.calls.list({ userId: member })).toEqual([
      expect.objectContaining({ fault: 'drip', httpStatus: 200 }),
    ]);
    const [connection] = tap.carrying(member);
    const closedAt = await waitFor('the dripping connection to close', () => connection.closedAt, {
      timeoutMs: 1000,
    });
    expect(closedAt - started).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
  });

  it('leaves no connection open once every hung call has been answered', async () => {
    const member = newMember();
    sandbox.setFault({ mode: 'hang', userId: member });

    await Promise.all([updateLimits(gateway, member), register(gateway, member)]);

    const carrying = tap.carrying(member);
    expect(carrying.length).toBeGreaterThanOrEqual(1);
    await waitFor('every connection that carried a hung call to close', () =>
      carrying.every((connection) => connection.closedAt !== undefined),
    );
  });

  it('answers a malformed KONA answer 502 UPSTREAM_ERROR without retrying it', async () => {
    const member = newMember();
    sandbox.setFault({ mode: 'malformed', userId: member });

    const answer = await updateLimits(gateway, member);

    expectProblem(answer, 502, 'UPSTREAM_ERROR');
    expect(sandbox.calls.list({ userId: member })).toHaveLength(1);
  });

  it('answers a reset 502 UPSTREAM_ERROR without retrying it, even on a reused socket', async () => {
    const member = newMember();
    // A successful call first leaves an idle keep-alive socket, which the next call reuses.
    expect((await updateLimits(gateway, newMember())).status).toBe(200);
    sandbox.setFault({ mode: 'reset', userId: member });

    const answer = await updateLimits(gateway, member);

    // KONA read the whole request before the reset: it may have acted, so it is not sent again.
    expectProblem(answer, 502, 'UPSTREAM_ERROR');
    const calls = sandbox.calls.list({ userId: member });
    expect(calls.map((call) => call.fault)).toStrictEqual(['reset']);
    expect(answer.body.correlationId).toBe(calls[0].correlationId);
  });
});

describe('the circuit breaker', () => {
  it('opens after 3 consecutive 5xx: later callers get 503 at once and KONA hears nothing', async () => {
    await withGateway(faultEnv(sandbox.url), async (gateway) => {
      const sick = newMember();
      const healthy = newMember();
      expect(await circuitState(gateway)).not.toBe(1);

      await openLimitsCircuit(gateway, sick);

      expect(sandbox.calls.list({ userId: sick })).toHaveLength(THRESHOLD);
      expect(await circuitState(gateway)).toBe(1);
      for (let i = 0; i < 3; i++) {
        const { answer, ms } = await timed(() => updateLimits(gateway, healthy));
        expectCircuitOpen(answer);
        expect(ms).toBeLessThan(FAST_MS);
      }
      expect(sandbox.calls.list({ userId: healthy })).toEqual([]);
      expect(sandbox.calls.list({ userId: sick })).toHaveLength(THRESHOLD);
    });
  });

  it('keeps the other operation’s circuit closed: registration still reaches KONA', async () => {
    await withGateway(faultEnv(sandbox.url), async (gateway) => {
      const healthy = newMember();
      await openLimitsCircuit(gateway, newMember());

      const answer = await register(gateway, healthy);

      expect(answer.status).toBe(200);
      expect(sandbox.calls.list({ userId: healthy })).toHaveLength(1);
    });
  });

  it('lets a probe through after the cool-down and closes once KONA is healthy', async () => {
    await withGateway(faultEnv(sandbox.url), async (gateway) => {
      const healthy = newMember();
      await openLimitsCircuit(gateway, newMember());
      sandbox.clearFaults();
      expectCircuitOpen(await updateLimits(gateway, healthy));

      await sleep(COOLDOWN_MS + 100);
      const probe = await updateLimits(gateway, healthy);

      expect(probe.status).toBe(200);
      expect(sandbox.calls.list({ userId: healthy })).toHaveLength(1);
      expect(await circuitState(gateway)).toBe(0);
      expect((await updateLimits(gateway, healthy)).status).toBe(200);
      expect((await updateLimits(gateway, healthy)).status).toBe(200);
      expect(sandbox.calls.list({ userId: healthy })).toHaveLength(3);
    });
  });

  it('opens again at once when the probe fails', async () => {
    await withGateway(faultEnv(sandbox.url), async (gateway) => {
      const sick = newMember();
      const healthy = newMember();
      await openLimitsCircuit(gateway, sick);

      await sleep(COOLDOWN_MS + 100);
      const probe = await updateLimits(gateway, sick);

      expectProblem(probe, 502, 'UPSTREAM_ERROR');
      expect(sandbox.calls.list({ userId: sick })).toHaveLength(THRESHOLD + 1);
      const { answer, ms } = await timed(() => updateLimits(gateway, healthy));
      expectCircuitOpen(answer);
      expect(ms).toBeLessThan(FAST_MS);
      expect(sandbox.calls.list({ userId: healthy })).toEqual([]);
      expect(await circuitState(gateway)).toBe(1);
    });
  });

  it('counts timeouts, malformed answers and resets as failures, like 5xx', async () => {
    await withGateway(faultEnv(sandbox.url), async (gateway) => {
      const [hung, garbled, reset, healthy] = [newMember(), newMember(), newMember(), newMember()];
      sandbox.setFault({ mode: 'hang', userId: hung });
      sandbox.setFault({ mode: 'malformed', userId: garbled });
      sandbox.setFault({ mode: 'reset', userId: reset });

      expectProblem(await updateLimits(gateway, hung), 504, 'UPSTREAM_TIMEOUT');
      expectProblem(await updateLimits(gateway, garbled), 502, 'UPSTREAM_ERROR');
      expectProblem(await updateLimits(gateway, reset), 502, 'UPSTREAM_ERROR');

      expect(await circuitState(gateway)).toBe(1);
      expectCircuitOpen(await updateLimits(gateway, healthy));
      expect(sandbox.calls.list({ userId: healthy })).toEqual([]);
    });
  });

  it('never opens on business answers: 5 × "wallet user not found", then KONA is still called', async () => {
    await withGateway(faultEnv(sandbox.url), async (gateway) => {
      const unknownWalletUser = '1001006';
      const before = sandbox.calls.list({ userId: unknownWalletUser }).length;

      for (let i = 0; i < THRESHOLD + 2; i++) {
        expectProblem(await updateLimits(gateway, unknownWalletUser), 404, 'WALLET_USER_NOT_FOUND');
      }

      expect(sandbox.calls.list({ userId: unknownWalletUser })).toHaveLength(
        before + THRESHOLD + 2,
      );
      expect(await circuitState(gateway)).toBe(0);
      const healthy = newMember();
      expect((await updateLimits(gateway, healthy)).status).toBe(200);
      expect(sandbox.calls.list({ userId: healthy })).toHaveLength(1);
    });
  });
});

describe('a KONA that refuses connections', () => {
  it('answers 503 fast, opens the breaker instead of hammering, and heals when KONA is back', async () => {
    const port = await freePort();
    await withGateway(faultEnv(`http://127.0.0.1:${port}`), async (gateway) => {
      const member = newMember();
      const outcome = (name: string) =>
        metric(gateway, 'konaplate_calls_total', `${LIMITS_OP},outcome="${name}"`);
      const retries = (reason: string) =>
        metric(gateway, 'konaplate_transport_retries_total', `${LIMITS_OP},reason="${reason}"`);

      for (let i = 0; i < THRESHOLD; i++) {
        const { answer, ms } = await timed(() => updateLimits(gateway, member));
        expectProblem(answer, 503, 'UPSTREAM_UNAVAILABLE');
        // At most one retry, 10-50 ms of jitter apart, on loopback: nothing like a storm.
        expect(ms).toBeLessThan(MARGIN_MS);
      }
      expect(await circuitState(gateway)).toBe(1);
      const { answer, ms } = await timed(() => updateLimits(gateway, member));
      expectCircuitOpen(answer);
      expect(ms).toBeLessThan(FAST_MS);
      expect(await outcome('refused')).toBe(THRESHOLD);
      expect(await outcome('circuit_open')).toBe(1);
      // Each refused call was retried once, and each retry was counted; the open circuit sent
      // nothing, so it retried nothing.
      expect(await retries('refused')).toBe(THRESHOLD);
      expect(await retries('unsent')).toBeUndefined();

      const revived = await startSandbox({ port, host: '127.0.0.1', quiet: true });
      try {
        await sleep(COOLDOWN_MS + 100);
        const healed = await updateLimits(gateway, member);

        expect(healed.status).toBe(200);
        expect(revived.calls.list({ userId: member })).toHaveLength(1);
        expect(await circuitState(gateway)).toBe(0);
      } finally {
        await revived.close();
      }
    });
  });
});
