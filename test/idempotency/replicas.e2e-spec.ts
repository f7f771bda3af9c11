import { Redis } from 'ioredis';
import { recordKey } from '../../src/idempotency/record-keys';
import type { MemberId } from '../../src/members/member-id';
import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import type { RunningGateway } from '../support/gateway';
import { gatewayEnv, newKey, newMember, startGateway, tokenFor } from '../support/gateway';
import { RedisServer } from '../support/redis-server';
import { metricValue } from './gateway-metrics';
import { konaCalls, putLimits } from './idempotent-calls';
import { waitFor } from './wait';

/**
 * Issue #11, item 6: with REDIS_MIN_REPLICAS a claim must be on that many replicas (WAIT) before
 * KONA is called, so a failover cannot lose it; short of replicas the answer is 503, KONA untouched.
 */
describe('REDIS_MIN_REPLICAS', () => {
  let primary: RedisServer;
  let replica: RedisServer | undefined;
  let sandbox: RunningSandbox;
  let gateway: RunningGateway;

  beforeAll(async () => {
    primary = await RedisServer.start();
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
    gateway = await startGateway(
      gatewayEnv(sandbox.url, {
        REDIS_URL: primary.url,
        REDIS_MIN_REPLICAS: '1',
        REDIS_REPLICA_WAIT_MS: '500',
      }),
    );
  });

  afterAll(async () => {
    await gateway?.close();
    await sandbox?.close();
    await replica?.stop();
    await primary?.stop();
  });

  it('answers 503 without calling KONA while no replica acknowledges, and leaves the key free', async () => {
    // Arrange
    const member = newMember();
    const token = await tokenFor(member);
    const key = newKey();

    // Act
    const refused = await putLimits(gateway, token, key);
    const record = await hash(primary.url, recordKey({ memberId: member as MemberId, key }));

    // Assert
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('STORE_UNAVAILABLE');
    expect(konaCalls(sandbox, member)).toHaveLength(0);
    expect(record.state).toBe('released');
    expect(
      await metricValue(gateway, 'redis_errors_total', { kind: 'unreplicated' }),
    ).toBeGreaterThan(0);
  });

  it('calls KONA once a replica acknowledges, and the replica holds the answer', async () => {
    // Arrange: a replica of the primary, in sync.
    replica = await RedisServer.start(['--replicaof', '127.0.0.1', String(primary.port)]);
    await waitFor('the replica to sync', async () => (await linkUp(replica!.url)) || undefined, {
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    // The primary's side too: WAIT counts only replicas it sees online.
    await waitFor(
      'the primary to see it online',
      async () => (await online(primary.url)) || undefined,
      {
        timeoutMs: 10_000,
        intervalMs: 100,
      },
    );
    const member = newMember();
    const token = await tokenFor(member);
    const key = newKey();

    // Act: as the app does, the same key again after a 503 (nothing was sent to KONA then; on a
    // loaded machine a fresh replica's first acknowledgement can miss REDIS_REPLICA_WAIT_MS).
    const served = await waitFor(
      'an answer other than 503',
      async () => {
        const answer = await putLimits(gateway, token, key);
        return answer.status === 503 ? undefined : answer;
      },
      { timeoutMs: 5000, intervalMs: 200 },
    );
    const onReplica = await hash(replica.url, recordKey({ memberId: member as MemberId, key }));

    // Assert: the answer was acknowledged by the replica before the app got it.
    expect(served.status).toBe(200);
    expect(konaCalls(sandbox, member)).toHaveLength(1);
    expect(onReplica.state).toBe('done');
    expect(onReplica.cid).toBe(served.headers.get('x-correlation-id'));
  });
});

async function hash(url: string, key: string): Promise<Record<string, string>> {
  const client = new Redis(url);
  try {
    return await client.hgetall(key);
  } finally {
    client.disconnect();
  }
}

async function online(url: string): Promise<boolean> {
  const client = new Redis(url);
  try {
    return /^slave0:.*state=online/m.test(await client.info('replication'));
  } finally {
    client.disconnect();
  }
}

async function linkUp(url: string): Promise<boolean> {
  const client = new Redis(url);
  try {
    return (await client.info('replication')).includes('master_link_status:up');
  } finally {
    client.disconnect();
  }
}
