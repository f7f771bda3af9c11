/**
 * Issue #11, item 3: KONA reads a whole request, then resets the connection. KONA may have acted
 * (the sandbox's `reset` fault hits the answer, not the action), so the gateway must not send the
 * request again by itself, even on a reused keep-alive socket: the app gets the unknown-outcome
 * answer, and its own retry with the same Idempotency-Key reaches KONA with the same correlation id.
 *
 * The gateway reaches the sandbox through a TCP tap, which shows which connection carried what:
 * the reset must hit a socket that an earlier call left idle, the case the old retry covered.
 */
import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import type { RunningGateway } from '../support/gateway';
import { gatewayEnv, newKey, newMember, startGateway, tokenFor } from '../support/gateway';
import { konaCalls, putLimits } from '../idempotency/idempotent-calls';
import { CORRELATION_ID, expectProblem } from '../api/mobile-api';
import { metric } from './resilience-support';
import { startTcpTap, type TcpTap } from './tcp-tap';

const RETRIES = 'konaplate_transport_retries_total';
const LIMITS_OP = 'operation="card-limit-update"';

let sandbox: RunningSandbox;
let tap: TcpTap;
let gateway: RunningGateway;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
  tap = await startTcpTap(sandbox.port);
  gateway = await startGateway(
    gatewayEnv(tap.url, { KONAPLATE_TIMEOUT_MS: '2000', UPSTREAM_BREAKER_THRESHOLD: '1000' }),
  );
});

afterEach(() => {
  sandbox.clearFaults();
});

afterAll(async () => {
  await gateway?.close();
  await tap?.close();
  await sandbox?.close();
});

describe('KONA resetting a reused keep-alive socket after reading the whole request', () => {
  it('is not sent twice: KONA sees it once and the app is told the outcome is unknown', async () => {
    // A successful call leaves an idle keep-alive socket, which the next call reuses.
    const warm = newMember();
    expect((await putLimits(gateway, await tokenFor(warm), newKey())).status).toBe(200);
    const member = newMember();
    const token = await tokenFor(member);
    const key = newKey();
    sandbox.setFault({ mode: 'reset', userId: member, times: 1 });

    const failed = await putLimits(gateway, token, key);

    const calls = konaCalls(sandbox, member);
    // toStrictEqual: toEqual would let ['reset', undefined] (a second, clean call) pass.
    expect(calls.map((call) => call.fault)).toStrictEqual(['reset']);
    // The precondition of the old retry: the request went over the warmed-up socket.
    expect(tap.carrying(member)[0]).toBe(tap.carrying(warm)[0]);
    expectProblem(failed, 502, 'UPSTREAM_ERROR');
    expect(failed.body.correlationId).toMatch(CORRELATION_ID);
    expect(failed.body.correlationId).toBe(calls[0].correlationId);
    expect(failed.headers.get('x-correlation-id')).toBe(calls[0].correlationId);
    expect(await metric(gateway, RETRIES, `${LIMITS_OP},reason="unsent"`)).toBeUndefined();
  });

  it('lets the app retry with the same key: KONA sees the same correlation id again', async () => {
    expect((await putLimits(gateway, await tokenFor(newMember()), newKey())).status).toBe(200);
    const member = newMember();
    const token = await tokenFor(member);
    const key = newKey();
    sandbox.setFault({ mode: 'reset', userId: member, times: 1 });
    const failed = await putLimits(gateway, token, key);

    const retry = await putLimits(gateway, token, key);
    const replay = await putLimits(gateway, token, key);

    const calls = konaCalls(sandbox, member);
    expect(failed.status).toBe(502);
    expect(calls.map((call) => call.fault)).toStrictEqual(['reset', undefined]);
    expect(calls[1].correlationId).toBe(calls[0].correlationId);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.headers.get('x-correlation-id')).toBe(calls[0].correlationId);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(konaCalls(sandbox, member)).toHaveLength(2);
  });
});
