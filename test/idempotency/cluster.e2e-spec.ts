import { Redis } from 'ioredis';
import { rateKey, recordKey } from '../../src/idempotency/record-keys';
import type { MemberId } from '../../src/members/member-id';
import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import type { RunningGateway } from '../support/gateway';
import { gatewayEnv, newKey, newMember, startGateway, tokenFor } from '../support/gateway';
import { RedisCluster } from '../support/redis-cluster';
import { classify, konaCalls, putLimits } from './idempotent-calls';
import { waitFor } from './wait';

const CONCURRENT = 50;
const MEMBERS_PER_NODE = 2;

/**
 * Behaviour 9 of the idempotency issue: the same scripts on a real three-master Redis Cluster,
 * which refuses any script touching keys in two slots (CROSSSLOT).
 */
describe('idempotency on a three-node Redis Cluster', () => {
  let cluster: RedisCluster | undefined;
  let admin: Redis | undefined;
  let sandbox: RunningSandbox;
  let gateway: RunningGateway;
  /** Which node (by port) serves each slot, as the cluster itself says. */
  let portOfSlot: (slot: number) => number;

  beforeAll(async () => {
    cluster = await RedisCluster.start(3);
    admin = new Redis(cluster.ports[0], '127.0.0.1');
    const ranges = await admin.cluster('SLOTS');
    portOfSlot = (slot) => ranges.find(([from, to]) => slot >= from && slot <= to)![2][1];
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
    gateway = await startGateway(
      gatewayEnv(sandbox.url, {
        REDIS_URL: undefined,
        REDIS_CLUSTER_NODES: cluster.nodes,
        // Well above the 600 ms the sandbox is slowed by below: under a loaded CI machine a
        // 1 s timeout made the first call an unknown outcome (and its retry a second KONA call).
        KONAPLATE_TIMEOUT_MS: '3000',
      }),
    );
    await waitFor(
      'the gateway to be ready on the cluster',
      () => fetch(`${gateway.url}/health/ready`).then((r) => r.status === 200),
      { timeoutMs: 10_000, intervalMs: 100 },
    );
  }, 40_000);

  afterAll(async () => {
    await gateway?.close();
    await sandbox?.close();
    admin?.disconnect();
    await cluster?.stop();
  });

  /** The node serving a key, from the cluster's own CLUSTER KEYSLOT. */
  async function nodeOf(key: string): Promise<{ slot: number; port: number }> {
    const slot = Number(await admin!.cluster('KEYSLOT', key));
    return { slot, port: portOfSlot(slot) };
  }

  it(`makes exactly one KONA call for ${CONCURRENT} concurrent requests with one key`, async () => {
    const member = newMember();
    const token = await tokenFor(member);
    const key = newKey();
    sandbox.setFault({ mode: 'latency', userId: member, latencyMs: 600 });

    const answers = await Promise.all(
      Array.from({ length: CONCURRENT }, () => putLimits(gateway, token, key)),
    );
    const retry = await putLimits(gateway, token, key);

    const calls = konaCalls(sandbox, member);
    expect(calls).toHaveLength(1);
    const { fresh, replays, inUse, other } = classify(answers);
    expect(other.map((a) => `${a.status} ${a.text}`)).toEqual([]);
    expect(fresh).toHaveLength(1);
    expect(inUse.length).toBeGreaterThan(0);
    expect(inUse.length + replays.length).toBe(CONCURRENT - 1);
    expect(fresh[0].headers.get('x-correlation-id')).toBe(calls[0].correlationId);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('x-correlation-id')).toBe(calls[0].correlationId);
    expect(retry.text).toBe(fresh[0].text);
  });

  it('serves members whose records live on every node, each record beside its rate counter', async () => {
    const chosen = new Map<number, string[]>(cluster!.ports.map((port) => [port, []]));
    while ([...chosen.values()].some((members) => members.length < MEMBERS_PER_NODE)) {
      const member = newMember();
      const { port } = await nodeOf(rateKey(member));
      const members = chosen.get(port)!;
      if (members.length < MEMBERS_PER_NODE) members.push(member);
    }
    const members = [...chosen.values()].flat();
    const keys = members.map(() => newKey());

    const answers = await Promise.all(
      members.map(async (member, i) => putLimits(gateway, await tokenFor(member), keys[i])),
    );

    expect(answers.map((a) => a.status)).toEqual(members.map(() => 200));
    for (const [i, member] of members.entries()) {
      expect(konaCalls(sandbox, member)).toHaveLength(1);
      const record = recordKey({ memberId: member as MemberId, key: keys[i] });
      const counter = rateKey(member);
      const [recordNode, counterNode] = [await nodeOf(record), await nodeOf(counter)];
      expect(recordNode.slot).toBe(counterNode.slot);
      const node = new Redis(recordNode.port, '127.0.0.1');
      try {
        expect(await node.exists(record, counter)).toBe(2);
      } finally {
        node.disconnect();
      }
    }
  });

  it('waits for a replica of the shard holding each key with REDIS_MIN_REPLICAS: none here, so 503 and no KONA call', async () => {
    // These masters have no replicas: WAIT (pipelined with the claim, on each key's shard)
    // answers 0 on every node.
    const strict = await startGateway(
      gatewayEnv(sandbox.url, {
        REDIS_URL: undefined,
        REDIS_CLUSTER_NODES: cluster!.nodes,
        REDIS_MIN_REPLICAS: '1',
        REDIS_REPLICA_WAIT_MS: '50',
      }),
    );
    try {
      const byNode = new Map<number, string>();
      while (byNode.size < cluster!.ports.length) {
        const member = newMember();
        byNode.set((await nodeOf(rateKey(member))).port, member);
      }

      const answers = await Promise.all(
        [...byNode.values()].map(async (member) =>
          putLimits(strict, await tokenFor(member), newKey()),
        ),
      );

      expect(answers.map((a) => [a.status, a.body.code])).toEqual(
        answers.map(() => [503, 'STORE_UNAVAILABLE']),
      );
      for (const member of byNode.values()) expect(konaCalls(sandbox, member)).toHaveLength(0);
    } finally {
      await strict.close();
    }
  });
});
