import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import type { RunningGateway } from '../support/gateway';
import { newKey, newMember, startGateway, tokenFor } from '../support/gateway';
import { RedisSentinelTopology } from '../support/redis-sentinel';
import type { Caller } from './failover-traffic';
import { sentinelGatewayEnv } from './failover-traffic';
import { timedPut } from './failover-traffic';
import { konaCalls } from './idempotent-calls';
import { waitFor } from './wait';

/**
 * Issue #11, item 6 (it failed before REDIS_MIN_REPLICAS existed: the retry reached KONA again).
 *
 * Redis replicates asynchronously: a success the gateway has answered may exist only on the
 * primary when it dies, and the promoted replica then knows nothing of the key, so a retry with it
 * reaches KONA a second time, under a new correlation id. This test makes that window certain
 * instead of sub-millisecond: the replication links are cut for 200 ms around the request (the
 * replicas are back within about a second, as after a network blip), and the primary is SIGKILLed
 * as soon as the app has its 200. Today the record is then on the dead primary alone. With
 * REDIS_MIN_REPLICAS=1 the gateway must not answer 200 before a replica holds the record: it may
 * wait for one (WAIT, up to about 1.2 s here) or refuse with 503, which the app retries.
 */
describe('a success survives a Sentinel failover with REDIS_MIN_REPLICAS=1', () => {
  let topology: RedisSentinelTopology;
  let sandbox: RunningSandbox;
  let gateway: RunningGateway;

  beforeAll(async () => {
    topology = await RedisSentinelTopology.start();
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
    gateway = await startGateway(
      sentinelGatewayEnv(sandbox.url, topology, { REDIS_MIN_REPLICAS: '1' }),
    );
  }, 30_000);

  afterAll(async () => {
    await gateway?.close();
    await sandbox?.close();
    await topology?.stop();
  });

  /** The app's retries with its key until it gets an answer that is not a 503. */
  const untilNot503 = (who: Caller, key: string) =>
    waitFor(
      'an answer other than 503',
      async () => {
        const answer = await timedPut(gateway, who, key);
        return answer.status !== 503 && answer;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );

  it('replays a key that succeeded just before its primary was SIGKILLed (REDIS_MIN_REPLICAS=1)', async () => {
    const member = newMember();
    const who = { member, token: await tokenFor(member) };
    const key = newKey();

    await topology.cutReplication(200);
    const first = await untilNot503(who, key);
    await topology.killPrimary();
    await topology.waitForFailover(15_000);
    const retry = await untilNot503(who, key);

    expect(first.status).toBe(200);
    expect([retry.status, retry.replayed, retry.correlationId]).toEqual([
      200,
      true,
      first.correlationId,
    ]);
    expect(retry.text).toBe(first.text);
    expect(konaCalls(sandbox, member)).toHaveLength(1);
  }, 40_000);
});
