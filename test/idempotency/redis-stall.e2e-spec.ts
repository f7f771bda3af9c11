import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import type { RunningGateway } from '../support/gateway';
import { gatewayEnv, newKey, newMember, startGateway, tokenFor } from '../support/gateway';
import { RedisServer } from '../support/redis-server';
import { type StallingProxy, startStallingProxy } from '../support/stalling-proxy';
import { metricValue } from './gateway-metrics';
import { konaCalls, putLimits } from './idempotent-calls';
import { sleep, waitFor } from './wait';

const LEASE_MS = 3000;
const RATE_LIMIT = 50;

/**
 * Issue #11, items 1 and 2: a Redis that stalls must neither leave a phantom claim behind (a key
 * held for a request that was answered 503) nor lose a final answer (which would let a retry call
 * KONA a second time once the lease ends).
 */
describe('the gateway when its Redis stalls', () => {
  let redis: RedisServer;
  let proxy: StallingProxy;
  let sandbox: RunningSandbox;
  let direct: RunningGateway;
  let proxied: RunningGateway;

  beforeAll(async () => {
    redis = await RedisServer.start();
    proxy = await startStallingProxy(redis.port);
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
    const env = {
      KONAPLATE_TIMEOUT_MS: '1000',
      IDEMPOTENCY_LEASE_MS: String(LEASE_MS),
      RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
    };
    direct = await startGateway(gatewayEnv(sandbox.url, { ...env, REDIS_URL: redis.url }));
    proxied = await startGateway(gatewayEnv(sandbox.url, { ...env, REDIS_URL: proxy.url }));
  });

  afterAll(async () => {
    await direct?.close();
    await proxied?.close();
    await proxy?.close();
    await sandbox?.close();
    await redis?.stop();
  });

  afterEach(async () => {
    sandbox.clearFaults();
    proxy.heal();
    await redis.resume();
  });

  it('leaves no claim behind when the claim reaches Redis after the gateway answered 503', async () => {
    // Arrange: one request first, so the gateway is past its start-up round trips.
    const member = newMember();
    const token = await tokenFor(member);
    expect((await putLimits(direct, token, newKey())).status).toBe(200);
    const timeoutsBefore = await metricValue(direct, 'redis_errors_total', { kind: 'timeout' });
    const key = newKey();

    // Act: the claim waits on Redis' socket while Redis is stopped, and runs when it resumes.
    await redis.pause();
    const during = await putLimits(direct, token, key);
    await redis.resume();
    await sleep(200);
    const after = await putLimits(direct, token, key);

    // Assert
    expect(during.status).toBe(503);
    expect(during.body.code).toBe('STORE_UNAVAILABLE');
    expect(after.status).toBe(200);
    expect(after.headers.get('idempotent-replayed')).toBeNull();
    // Only the warm-up and `after` were counted: the late claim changed nothing.
    expect(Number(after.headers.get('ratelimit-remaining'))).toBe(RATE_LIMIT - 2);
    expect(konaCalls(sandbox, member)).toHaveLength(2);
    expect(await metricValue(direct, 'redis_errors_total', { kind: 'timeout' })).toBeGreaterThan(
      timeoutsBefore,
    );
  });

  it('stores the final answer once Redis is back, so a retry after the lease is a replay', async () => {
    // Arrange
    const member = newMember();
    const token = await tokenFor(member);
    expect((await putLimits(proxied, token, newKey())).status).toBe(200);
    sandbox.setFault({ mode: 'latency', userId: member, latencyMs: 400, times: 1 });
    const key = newKey();

    // Act: Redis stops answering while KONA works; the first attempt to store the answer is lost.
    const pending = putLimits(proxied, token, key);
    await waitFor('the call to reach KONA', () => konaCalls(sandbox, member).length === 2);
    proxy.stall();
    const answer = await pending;
    proxy.heal();
    // Past the lease the claim made: without the answer stored, the retry would take over.
    await sleep(LEASE_MS + 500);
    const retry = await putLimits(proxied, token, key);

    // Assert
    expect(answer.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('x-correlation-id')).toBe(answer.headers.get('x-correlation-id'));
    expect(konaCalls(sandbox, member)).toHaveLength(2);
    expect(
      await metricValue(proxied, 'idempotency_outcomes_total', { outcome: 'completed_late' }),
    ).toBe(1);
  });
});
