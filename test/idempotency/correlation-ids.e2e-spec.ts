import { Redis } from 'ioredis';
import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import type { RunningGateway } from '../support/gateway';
import { gatewayEnv, newKey, newMember, startGateway, tokenFor } from '../support/gateway';
import { RedisServer } from '../support/redis-server';
import { DEFAULT_SLOT_LEASE, RedisInstanceSlot } from '../../src/correlation/redis-instance-slot';
import { createRedisClient } from '../../src/redis/redis-client.factory';
import { konaCalls, putLimits } from './idempotent-calls';
import { waitFor } from './wait';

/** `yyMMddHHmmss-` then 3 hex digits of slot and 4 of sequence. */
const ID = /^(\d{12})-([0-9a-f]{3})([0-9a-f]{4})$/;

/**
 * Issue #11, item 4: two replicas sharing a Redis hold different slots, so their correlation ids
 * can never collide; random suffixes (28 bits a second, shared by every replica) could.
 */
describe('correlation ids across replicas', () => {
  let redis: RedisServer;
  let sandbox: RunningSandbox;
  let gateways: RunningGateway[];

  beforeAll(async () => {
    redis = await RedisServer.start();
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
    const env = gatewayEnv(sandbox.url, { REDIS_URL: redis.url });
    gateways = [await startGateway(env), await startGateway(env)];
  });

  afterAll(async () => {
    for (const gateway of gateways ?? []) await gateway.close();
    await sandbox?.close();
    await redis?.stop();
  });

  it('gives each replica its own slot, leased in Redis, and every id of a replica carries it', async () => {
    // Arrange
    const perGateway = 60;
    const sent = await Promise.all(
      gateways.map(async (gateway) => {
        const member = newMember();
        const token = await tokenFor(member);
        await Promise.all(
          Array.from({ length: perGateway }, () => putLimits(gateway, token, newKey())),
        );
        return konaCalls(sandbox, member).map((call) => call.correlationId ?? '');
      }),
    );

    // Act
    const slots = sent.map((ids) => new Set(ids.map((id) => ID.exec(id)?.[2])));
    const leased = await leasedSlots(redis.url);

    // Assert
    expect(sent.map((ids) => ids.length)).toEqual([perGateway, perGateway]);
    expect(sent.flat().every((id) => ID.test(id))).toBe(true);
    expect(slots.map((s) => s.size)).toEqual([1, 1]);
    const [a, b] = slots.map((s) => [...s][0]!);
    expect(a).not.toBe(b);
    expect(leased).toEqual(expect.arrayContaining([parseInt(a, 16), parseInt(b, 16)]));
    expect(new Set(sent.flat()).size).toBe(2 * perGateway);
  });

  it('numbers the ids of one replica within a second 0, 1, 2… without a gap or a repeat', async () => {
    // Arrange
    const member = newMember();
    const token = await tokenFor(member);
    for (let i = 0; i < 20; i++) await putLimits(gateways[0], token, newKey());

    // Act
    const bySecond = new Map<string, number[]>();
    for (const call of konaCalls(sandbox, member)) {
      const [, second, , sequence] = ID.exec(call.correlationId ?? '')!;
      bySecond.set(second, [...(bySecond.get(second) ?? []), parseInt(sequence, 16)]);
    }

    // Assert: within each second the sequence only rises, one step at a time.
    for (const sequences of bySecond.values()) {
      expect(sequences.slice(1).every((n, i) => n === sequences[i] + 1)).toBe(true);
    }
  });
});

/** The slots the hash `kbff:slots` holds leases for. */
async function leasedSlots(url: string): Promise<number[]> {
  const client = new Redis(url);
  try {
    return Object.keys(await client.hgetall('kbff:slots')).map(Number);
  } finally {
    client.disconnect();
  }
}

describe('a correlation-id slot when Redis forgets it (restart without persistence)', () => {
  let redis: RedisServer;
  const clients: Redis[] = [];
  const slots: RedisInstanceSlot[] = [];

  afterAll(async () => {
    for (const slot of slots) slot.stop();
    for (const client of clients) client.disconnect();
    await redis?.stop();
  });

  it('is not used from a lost connection until Redis confirms it again, so two instances never share it', async () => {
    // Arrange: instance A holds slot 7; Redis restarts empty and instance B leases slot 7.
    redis = await RedisServer.start();
    const client = (): Redis => {
      const made = createRedisClient({ kind: 'single', url: redis.url }) as Redis;
      made.on('error', () => undefined);
      clients.push(made);
      return made;
    };
    const options = { ...DEFAULT_SLOT_LEASE, firstSlot: () => 7 };
    const clientA = client();
    await waitFor('A to connect', () => clientA.status === 'ready');
    const a = new RedisInstanceSlot(clientA, options);
    slots.push(a);
    await a.start();
    const before = a.current();
    await redis.kill();
    await redis.restart();
    const started = Date.now();
    // B reaches the empty Redis, maybe before A has reconnected (A's backoff), maybe after.
    const clientB = client();
    await waitFor('B to connect', () => clientB.status === 'ready');
    const b = new RedisInstanceSlot(clientB, options);
    slots.push(b);
    await b.start();

    // Act: what both say, for a while and until both hold a slot.
    const shared: number[] = [];
    await waitFor(
      'both to hold a slot',
      () => {
        const [slotA, slotB] = [a.current(), b.current()];
        if (slotA !== undefined && slotA === slotB) shared.push(slotA);
        return slotA !== undefined && slotB !== undefined && Date.now() > started + 2000;
      },
      { timeoutMs: 8000, intervalMs: 5 },
    );

    // Assert: 7 went to whichever asked the empty Redis first, never to both at once.
    expect(before).toBe(7);
    expect(shared).toEqual([]);
    expect([a.current(), b.current()].sort()).toEqual([7, 8]);
  });
});

describe('a correlation-id slot that cannot be renewed', () => {
  let redis: RedisServer;
  let client: Redis;
  let slot: RedisInstanceSlot;

  afterAll(async () => {
    slot?.stop();
    client?.disconnect();
    await redis?.stop();
  });

  it('stops making ids 27 s after its last lease was sent, while Redis holds the lease 3 s longer', async () => {
    // Arrange: a slot leased at t0 on this side's clock; no renewal runs meanwhile (the clock is
    // the test's: the 5 s renewal timer never fires while it moves).
    redis = await RedisServer.start();
    client = createRedisClient({ kind: 'single', url: redis.url }) as Redis;
    client.on('error', () => undefined);
    await waitFor('the client to connect', () => client.status === 'ready');
    const t0 = 1_000_000;
    let now = t0;
    slot = new RedisInstanceSlot(client, { ...DEFAULT_SLOT_LEASE, firstSlot: () => 11 }, () => now);
    await slot.start();

    // Act: what it says just before and at 27 s (the README's figure: 30 s lease − 3 s margin).
    now = t0 + 26_999;
    const justBefore = slot.current();
    now = t0 + 27_000;
    const at27s = slot.current();

    // Assert: valid until then, not from then on; Redis' lease (owner:expiry on its own clock)
    // runs a full 30 s from about now, so it outlives this side's use of it by about 3 s.
    expect(justBefore).toBe(11);
    expect(at27s).toBeUndefined();
    const [, expiry] = (await client.hget('kbff:slots', '11'))!.split(':');
    const [seconds, micros] = await client.time();
    const redisNowMs = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    expect(Number(expiry) - redisNowMs).toBeGreaterThan(29_000);
    expect(Number(expiry) - redisNowMs).toBeLessThanOrEqual(30_000);
  });
});
