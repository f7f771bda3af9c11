import type { Cluster, Redis } from 'ioredis';
import type { MemberId } from '../members/member-id';
import type {
  ClaimRequest,
  ClaimResult,
  RateState,
  RecordScope,
  StoredResponse,
} from './idempotency.store';
import { IdempotencyStore, StoreUnavailableError } from './idempotency.store';
import { rateKey, recordKey } from './record-keys';
import { CLAIM_SCRIPT, COMPLETE_SCRIPT, COUNT_SCRIPT, RELEASE_SCRIPT } from './redis-scripts';

type ScriptReply = [string, string, string, string, number, number];

interface ScriptCommands {
  kbffClaim(...args: (string | number)[]): Promise<ScriptReply>;
  kbffComplete(...args: (string | number)[]): Promise<number>;
  kbffRelease(...args: (string | number)[]): Promise<number>;
  kbffCount(...args: (string | number)[]): Promise<[number, number]>;
}

/** Idempotency records in Redis (single server, Sentinel or Cluster), one script per step. */
export class RedisIdempotencyStore extends IdempotencyStore {
  private readonly redis: (Redis | Cluster) & ScriptCommands;

  constructor(redis: Redis | Cluster) {
    super();
    // defineCommand sends EVALSHA and falls back to EVAL after a NOSCRIPT (e.g. a restarted Redis).
    redis.defineCommand('kbffClaim', { numberOfKeys: 2, lua: CLAIM_SCRIPT });
    redis.defineCommand('kbffComplete', { numberOfKeys: 1, lua: COMPLETE_SCRIPT });
    redis.defineCommand('kbffRelease', { numberOfKeys: 1, lua: RELEASE_SCRIPT });
    redis.defineCommand('kbffCount', { numberOfKeys: 1, lua: COUNT_SCRIPT });
    this.redis = redis as (Redis | Cluster) & ScriptCommands;
  }

  async claim(scope: RecordScope, request: ClaimRequest): Promise<ClaimResult> {
    const { fingerprint, owner, correlationId, leaseMs, ttlSeconds, rateLimit } = request;
    const reply = await guard(
      this.redis.kbffClaim(
        recordKey(scope),
        rateKey(scope.memberId),
        fingerprint,
        owner,
        correlationId,
        leaseMs,
        ttlSeconds,
        rateLimit.limit,
        rateLimit.windowMs,
      ),
    );
    const [kind, cid, a, b, count, reset] = reply;
    const rate =
      rateLimit.limit > 0 && kind !== 'replay'
        ? {
            limit: rateLimit.limit,
            remaining: Math.max(0, rateLimit.limit - count),
            resetMs: reset,
          }
        : undefined;
    switch (kind) {
      case 'claimed':
        return { kind, correlationId: cid, previous: a as 'none' | 'released' | 'expired', rate };
      case 'replay':
        return { kind, response: { correlationId: cid, status: Number(a), body: b }, rate };
      case 'in-use':
        return { kind, retryAfterMs: Number(a), correlationId: cid, rate };
      case 'reused':
      case 'rate-limited':
        return { kind, rate };
      default:
        throw new StoreUnavailableError(`unexpected claim reply ${kind}`);
    }
  }

  async complete(
    scope: RecordScope,
    owner: string,
    response: StoredResponse,
    ttlSeconds: number,
  ): Promise<boolean> {
    const done = await guard(
      this.redis.kbffComplete(
        recordKey(scope),
        owner,
        response.status,
        response.body,
        ttlSeconds,
        response.correlationId,
      ),
    );
    return done === 1;
  }

  async release(scope: RecordScope, owner: string): Promise<boolean> {
    return (await guard(this.redis.kbffRelease(recordKey(scope), owner))) === 1;
  }

  async countRequest(
    memberId: MemberId,
    rateLimit: ClaimRequest['rateLimit'],
  ): Promise<(RateState & { limited: boolean }) | undefined> {
    if (rateLimit.limit <= 0) return undefined;
    const [count, reset] = await guard(this.redis.kbffCount(rateKey(memberId), rateLimit.windowMs));
    return {
      limit: rateLimit.limit,
      remaining: Math.max(0, rateLimit.limit - count),
      resetMs: reset,
      limited: count > rateLimit.limit,
    };
  }

  async ping(): Promise<void> {
    await guard(this.redis.ping());
  }
}

/** Any Redis failure (down, timeout, offline queue refused) is the store being unavailable. */
async function guard<T>(command: Promise<T>): Promise<T> {
  try {
    return await command;
  } catch (error) {
    throw new StoreUnavailableError(error instanceof Error ? error.message : String(error));
  }
}
