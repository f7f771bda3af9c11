import { randomBytes, randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import {
  type ClaimRequest,
  type IdempotencyStore,
  type RecordScope,
  StoreUnavailableError,
  type StoredResponse,
} from '../../src/idempotency/idempotency.store';
import { MemoryIdempotencyStore } from '../../src/idempotency/memory-idempotency.store';
import { rateKey, recordKey } from '../../src/idempotency/record-keys';
import { RedisIdempotencyStore } from '../../src/idempotency/redis-idempotency.store';
import type { MemberId } from '../../src/members/member-id';
import { COMMAND_TIMEOUT_MS, createRedisClient } from '../../src/redis/redis-client.factory';
import { freePort } from '../support/free-port';
import { newKey, newMember } from '../support/gateway';
import { RedisServer } from '../support/redis-server';
import { sleep, waitFor } from './wait';

interface StoreFixture {
  store: IdempotencyStore;
  close(): Promise<void>;
}

const LEASE_MS = 5000;
/** The gateway's own settings (idempotency.module.ts), with no replicas to wait for. */
const STORE_OPTIONS = { commandTimeoutMs: COMMAND_TIMEOUT_MS, minReplicas: 0, replicaWaitMs: 250 };
const WINDOW_MS = 60_000;

/** A well-formed KONA correlation id, different on every call. */
function correlationId(): string {
  return `260101120000-${randomBytes(4).toString('hex').slice(0, 7)}`;
}

function answerFrom(who: string, cid: string): StoredResponse {
  return { status: 200, body: JSON.stringify({ from: who }), correlationId: cid };
}

function freshScope(memberId: string = newMember()): RecordScope {
  return { memberId: memberId as MemberId, key: newKey() };
}

function claimRequest(overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return {
    fingerprint: 'fingerprint-a',
    owner: randomUUID(),
    correlationId: correlationId(),
    leaseMs: LEASE_MS,
    ttlSeconds: 60,
    rateLimit: { limit: 0, windowMs: WINDOW_MS },
    ...overrides,
  };
}

/** A stored answer with bytes that a lossy store would change: non-ASCII, escapes, big digits. */
function storedResponse(cid: string, status = 200): StoredResponse {
  return {
    status,
    body: '{"limits":{"daily":9999999999,"monthly":12345678901234567890},"note":"한도 \\u0000 \\"q\\""}',
    correlationId: cid,
  };
}

/**
 * The semantics every IdempotencyStore must have (idempotency issue, behaviours 1-6): run once per
 * adapter, so the in-process store used in development behaves exactly like Redis.
 */
function describeStoreContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`${name} (store contract)`, () => {
    let fixture: StoreFixture | undefined;
    const store = (): IdempotencyStore => fixture!.store;

    beforeAll(async () => {
      fixture = await makeStore();
    });

    afterAll(async () => {
      await fixture?.close();
    });

    it('claims a new key with the correlation id it was given', async () => {
      const request = claimRequest();

      const result = await store().claim(freshScope(), request);

      expect(result).toMatchObject({
        kind: 'claimed',
        correlationId: request.correlationId,
        previous: 'none',
      });
    });

    it('answers in-use, with a wait no longer than the lease, while the key is held', async () => {
      const scope = freshScope();
      await store().claim(scope, claimRequest());

      const result = await store().claim(scope, claimRequest());

      expect(result.kind).toBe('in-use');
      const { retryAfterMs } = result as { retryAfterMs: number };
      expect(retryAfterMs).toBeGreaterThan(0);
      expect(retryAfterMs).toBeLessThanOrEqual(LEASE_MS);
    });

    it('answers reused for another fingerprint, before looking at the in-flight state', async () => {
      const scope = freshScope();
      await store().claim(scope, claimRequest({ fingerprint: 'fingerprint-a' }));

      const result = await store().claim(scope, claimRequest({ fingerprint: 'fingerprint-b' }));

      expect(result.kind).toBe('reused');
    });

    it('answers reused for another fingerprint once the key is done', async () => {
      const scope = freshScope();
      const first = claimRequest();
      await store().claim(scope, first);
      await store().complete(scope, first.owner, storedResponse(first.correlationId), 60);

      const result = await store().claim(scope, claimRequest({ fingerprint: 'fingerprint-b' }));

      expect(result.kind).toBe('reused');
    });

    it('replays a completed answer with its status, body and correlation id byte for byte', async () => {
      const scope = freshScope();
      const first = claimRequest();
      await store().claim(scope, first);
      const answer = storedResponse(first.correlationId, 404);
      const stored = await store().complete(scope, first.owner, answer, 60);

      const result = await store().claim(scope, claimRequest());

      expect(stored).toBe(true);
      expect(result.kind).toBe('replay');
      const { response } = result as { response: StoredResponse };
      expect(response.status).toBe(404);
      expect(Buffer.from(response.body).equals(Buffer.from(answer.body))).toBe(true);
      expect(response.correlationId).toBe(first.correlationId);
    });

    it('after a release, lets the next claim retry with the FIRST correlation id', async () => {
      const scope = freshScope();
      const first = claimRequest();
      await store().claim(scope, first);
      const released = await store().release(scope, first.owner);
      const retry = claimRequest();

      const result = await store().claim(scope, retry);

      expect(released).toBe(true);
      expect(retry.correlationId).not.toBe(first.correlationId);
      expect(result).toMatchObject({
        kind: 'claimed',
        correlationId: first.correlationId,
        previous: 'released',
      });
    });

    it('keeps the fingerprint through a release: another body is still reused', async () => {
      const scope = freshScope();
      const first = claimRequest();
      await store().claim(scope, first);
      await store().release(scope, first.owner);

      const result = await store().claim(scope, claimRequest({ fingerprint: 'fingerprint-b' }));

      expect(result.kind).toBe('reused');
    });

    it('lets the next claim take an expired lease over, with the same correlation id', async () => {
      const scope = freshScope();
      const first = claimRequest({ leaseMs: 200 });
      await store().claim(scope, first);
      await sleep(300);

      const result = await store().claim(scope, claimRequest({ leaseMs: 200 }));

      expect(result).toMatchObject({
        kind: 'claimed',
        correlationId: first.correlationId,
        previous: 'expired',
      });
    });

    it('refuses completion and release by a stale owner after a takeover, keeping the newer claim', async () => {
      const scope = freshScope();
      const stale = claimRequest({ leaseMs: 200 });
      await store().claim(scope, stale);
      await sleep(300);
      const newer = claimRequest();
      await store().claim(scope, newer);
      const cid = stale.correlationId;

      const completed = await store().complete(scope, stale.owner, answerFrom('stale', cid), 60);
      const released = await store().release(scope, stale.owner);
      const during = await store().claim(scope, claimRequest());

      expect(completed).toBe(false);
      expect(released).toBe(false);
      expect(during.kind).toBe('in-use');
      expect(await store().complete(scope, newer.owner, answerFrom('newer', cid), 60)).toBe(true);
      const replay = await store().claim(scope, claimRequest());
      expect(replay).toMatchObject({ kind: 'replay', response: answerFrom('newer', cid) });
    });

    it('replays the correlation id an answer was completed with', async () => {
      const scope = freshScope();
      const first = claimRequest();
      await store().claim(scope, first);
      const answer = storedResponse(correlationId());
      await store().complete(scope, first.owner, answer, 60);

      const result = await store().claim(scope, claimRequest());

      expect(result).toMatchObject({ kind: 'replay', response: answer });
    });

    it('refuses completion and release by anyone but the holder', async () => {
      const scope = freshScope();
      await store().claim(scope, claimRequest());

      const completed = await store().complete(scope, randomUUID(), storedResponse('x'), 60);
      const released = await store().release(scope, randomUUID());

      expect(completed).toBe(false);
      expect(released).toBe(false);
      expect((await store().claim(scope, claimRequest())).kind).toBe('in-use');
    });

    it('refuses to complete or release a key that is already done', async () => {
      const scope = freshScope();
      const first = claimRequest();
      await store().claim(scope, first);
      await store().complete(scope, first.owner, storedResponse(first.correlationId), 60);

      const again = await store().complete(
        scope,
        first.owner,
        answerFrom('other', first.correlationId),
        60,
      );
      const released = await store().release(scope, first.owner);

      expect(again).toBe(false);
      expect(released).toBe(false);
      const replay = await store().claim(scope, claimRequest());
      expect(replay).toEqual({ kind: 'replay', response: storedResponse(first.correlationId) });
    });

    it('completes idempotently: storing the same answer again (a retry after a lost reply) is true', async () => {
      const scope = freshScope();
      const first = claimRequest();
      await store().claim(scope, first);
      const answer = storedResponse(first.correlationId);
      await store().complete(scope, first.owner, answer, 60);

      const again = await store().complete(scope, first.owner, answer, 60);

      expect(again).toBe(true);
      expect(await store().claim(scope, claimRequest())).toEqual({
        kind: 'replay',
        response: answer,
      });
    });

    it("renews the holder's lease, so the key is still in use after the first lease would have ended", async () => {
      const scope = freshScope();
      const holder = claimRequest({ leaseMs: 300 });
      await store().claim(scope, holder);
      await sleep(200);

      const renewed = await store().renew(scope, holder.owner, 300);
      await sleep(200);
      const during = await store().claim(scope, claimRequest({ leaseMs: 300 }));

      expect(renewed).toBe(true);
      expect(during.kind).toBe('in-use');
    });

    it('renews nothing for anyone but the holder, nor a key that is done', async () => {
      const scope = freshScope();
      const holder = claimRequest();
      await store().claim(scope, holder);

      const byStranger = await store().renew(scope, randomUUID(), LEASE_MS);
      await store().complete(scope, holder.owner, storedResponse(holder.correlationId), 60);
      const afterDone = await store().renew(scope, holder.owner, LEASE_MS);

      expect(byStranger).toBe(false);
      expect(afterDone).toBe(false);
    });

    it('keeps the records of two members with the same key apart', async () => {
      const key = newKey();
      const one: RecordScope = { memberId: newMember() as MemberId, key };
      const two: RecordScope = { memberId: newMember() as MemberId, key };
      const first = claimRequest({ fingerprint: 'fingerprint-a' });
      const second = claimRequest({ fingerprint: 'fingerprint-b' });

      const a = await store().claim(one, first);
      const b = await store().claim(two, second);

      expect(a).toMatchObject({ kind: 'claimed', correlationId: first.correlationId });
      expect(b).toMatchObject({ kind: 'claimed', correlationId: second.correlationId });
      await store().complete(one, first.owner, storedResponse(first.correlationId), 60);
      expect((await store().claim(two, claimRequest({ fingerprint: 'fingerprint-b' }))).kind).toBe(
        'in-use',
      );
    });

    it('rate-limits the claim after the limit, with nothing remaining and a reset within the window', async () => {
      const memberId = newMember();
      const rateLimit = { limit: 3, windowMs: WINDOW_MS };
      const allowed = [];
      for (let i = 0; i < 3; i++)
        allowed.push(await store().claim(freshScope(memberId), claimRequest({ rateLimit })));

      const refused = await store().claim(freshScope(memberId), claimRequest({ rateLimit }));

      expect(allowed.map((r) => [r.kind, r.rate?.remaining])).toEqual([
        ['claimed', 2],
        ['claimed', 1],
        ['claimed', 0],
      ]);
      expect(refused.kind).toBe('rate-limited');
      expect(refused.rate).toMatchObject({ limit: 3, remaining: 0 });
      expect(refused.rate!.resetMs).toBeGreaterThan(0);
      expect(refused.rate!.resetMs).toBeLessThanOrEqual(WINDOW_MS);
    });

    it('does not claim the key of a rate-limited request', async () => {
      const memberId = newMember();
      const rateLimit = { limit: 1, windowMs: WINDOW_MS };
      await store().claim(freshScope(memberId), claimRequest({ rateLimit }));
      const scope = freshScope(memberId);
      await store().claim(scope, claimRequest({ rateLimit }));
      const later = claimRequest({ fingerprint: 'fingerprint-b' });

      const result = await store().claim(scope, later);

      expect(result).toMatchObject({ kind: 'claimed', correlationId: later.correlationId });
    });

    it('counts nothing when the limit is 0', async () => {
      const memberId = newMember();
      const rateLimit = { limit: 0, windowMs: WINDOW_MS };

      const results = [];
      for (let i = 0; i < 5; i++)
        results.push(await store().claim(freshScope(memberId), claimRequest({ rateLimit })));

      expect(results.map((r) => r.kind)).toEqual(Array(5).fill('claimed'));
      expect(results.every((r) => r.rate === undefined)).toBe(true);
    });

    it('forgets a record after its ttl', async () => {
      const scope = freshScope();
      const first = claimRequest({ ttlSeconds: 1 });
      await store().claim(scope, first);
      await store().complete(scope, first.owner, storedResponse(first.correlationId), 1);
      expect((await store().claim(scope, claimRequest())).kind).toBe('replay');
      await sleep(1200);
      const later = claimRequest({ fingerprint: 'fingerprint-b' });

      const result = await store().claim(scope, later);

      expect(result).toMatchObject({
        kind: 'claimed',
        correlationId: later.correlationId,
        previous: 'none',
      });
    });

    it('answers ping', async () => {
      await expect(store().ping()).resolves.toBeUndefined();
    });
  });
}

/** A client with the production settings (no offline queue), once it is ready. */
async function readyClient(url: string): Promise<Redis | Cluster> {
  const client = createRedisClient({ kind: 'single', url });
  if (client.status !== 'ready')
    await new Promise<void>((resolve) => client.once('ready', () => resolve()));
  return client;
}

/** The part of a key Redis Cluster hashes (the cluster spec's hash-tag rule, written out here). */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  if (close < 0 || close === open + 1) return key;
  return key.slice(open + 1, close);
}

describeStoreContract('MemoryIdempotencyStore', () =>
  Promise.resolve({ store: new MemoryIdempotencyStore(), close: () => Promise.resolve() }),
);

describeStoreContract('RedisIdempotencyStore', async () => {
  const server = await RedisServer.start();
  const redisClient = await readyClient(server.url);
  return {
    store: new RedisIdempotencyStore(redisClient, STORE_OPTIONS),
    close: async () => {
      await redisClient.quit();
      await server.stop();
    },
  };
});

describe('RedisIdempotencyStore beyond the contract', () => {
  let server: RedisServer;
  let redisClient: Redis | Cluster;
  let store: RedisIdempotencyStore;

  beforeAll(async () => {
    server = await RedisServer.start();
    redisClient = await readyClient(server.url);
    store = new RedisIdempotencyStore(redisClient, STORE_OPTIONS);
  });

  afterAll(async () => {
    await redisClient?.quit();
    await server?.stop();
  });

  it('keeps working after SCRIPT FLUSH (EVALSHA falls back to EVAL on NOSCRIPT)', async () => {
    const scope = freshScope();
    const first = claimRequest({ rateLimit: { limit: 10, windowMs: WINDOW_MS } });
    await store.claim(freshScope(), claimRequest());
    await redisClient.script('FLUSH');
    expect(await redisClient.script('EXISTS', '0'.repeat(40))).toEqual([0]);

    const claimed = await store.claim(scope, first);
    await redisClient.script('FLUSH');
    const completed = await store.complete(
      scope,
      first.owner,
      storedResponse(first.correlationId),
      60,
    );
    await redisClient.script('FLUSH');
    const replay = await store.claim(scope, claimRequest());
    const other = freshScope();
    const holder = claimRequest();
    await store.claim(other, holder);
    await redisClient.script('FLUSH');
    const released = await store.release(other, holder.owner);

    expect(claimed.kind).toBe('claimed');
    expect(completed).toBe(true);
    expect(replay).toMatchObject({
      kind: 'replay',
      response: storedResponse(first.correlationId),
    });
    expect(released).toBe(true);
  });

  it("puts a member's record and rate counter under the member's hash tag", async () => {
    const scope = freshScope();
    await store.claim(scope, claimRequest({ rateLimit: { limit: 5, windowMs: WINDOW_MS } }));

    const record = recordKey(scope);
    const counter = rateKey(scope.memberId);

    expect(hashTag(record)).toBe(scope.memberId);
    expect(hashTag(counter)).toBe(scope.memberId);
    expect(await redisClient.exists(record, counter)).toBe(2);
    expect(await redisClient.keys(`*{${scope.memberId}}*`)).toHaveLength(2);
  });

  it('sets an expiry on every key it writes', async () => {
    const scope = freshScope();
    const first = claimRequest({ ttlSeconds: 120, rateLimit: { limit: 5, windowMs: WINDOW_MS } });
    await store.claim(scope, first);
    const pendingTtl = await redisClient.ttl(recordKey(scope));
    await store.complete(scope, first.owner, storedResponse(first.correlationId), 90);

    const doneTtl = await redisClient.ttl(recordKey(scope));
    const rateTtl = await redisClient.pttl(rateKey(scope.memberId));

    expect(pendingTtl).toBeGreaterThan(100);
    expect(pendingTtl).toBeLessThanOrEqual(120);
    expect(doneTtl).toBeGreaterThan(80);
    expect(doneTtl).toBeLessThanOrEqual(90);
    expect(rateTtl).toBeGreaterThan(0);
    expect(rateTtl).toBeLessThanOrEqual(WINDOW_MS);
  });

  it('fails with StoreUnavailableError at once when Redis cannot be reached', async () => {
    const port = await freePort();
    const unreachable = createRedisClient({ kind: 'single', url: `redis://127.0.0.1:${port}` });
    unreachable.on('error', () => undefined);
    const down = new RedisIdempotencyStore(unreachable, STORE_OPTIONS);
    try {
      const started = Date.now();

      const claim = down.claim(freshScope(), claimRequest());

      await expect(claim).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(down.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      unreachable.disconnect();
    }
  });

  it('recovers on its own when its Redis comes back', async () => {
    const own = await RedisServer.start();
    const ownClient = await readyClient(own.url);
    ownClient.on('error', () => undefined);
    const ownStore = new RedisIdempotencyStore(ownClient, STORE_OPTIONS);
    try {
      await own.kill();
      await expect(ownStore.claim(freshScope(), claimRequest())).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
      await own.restart();

      const result = await waitFor(
        'the store to answer again',
        () => ownStore.claim(freshScope(), claimRequest()).catch(() => undefined),
        { timeoutMs: 10_000, intervalMs: 100 },
      );

      expect(result.kind).toBe('claimed');
    } finally {
      ownClient.disconnect();
      await own.stop();
    }
  });
});
