import type { ChainableCommander, Cluster, Redis } from 'ioredis';
import type { MemberId } from '../members/member-id';
import type {
  ClaimRequest,
  ClaimResult,
  RateState,
  RecordScope,
  StoredResponse,
} from './idempotency.store';
import { IdempotencyStore, StoreUnavailableError } from './idempotency.store';
import { RedisClock } from './redis-clock';
import { type RedisErrorKind, redisErrorKind } from './redis-error-kind';
import { rateKey, recordKey } from './record-keys';
import {
  CLAIM_SCRIPT,
  COMPLETE_SCRIPT,
  COUNT_SCRIPT,
  RELEASE_SCRIPT,
  RENEW_SCRIPT,
} from './redis-scripts';

/** {kind, cid, a, b, count, reset, now}: see redis-scripts.ts. */
type ScriptReply = [string, string, string, string, number, number, number];
type Args = (string | number)[];

interface ScriptCommands {
  kbffClaim(...args: Args): Promise<ScriptReply>;
  kbffComplete(...args: Args): Promise<number>;
  kbffRenew(...args: Args): Promise<number>;
  kbffRelease(...args: Args): Promise<number>;
  kbffCount(...args: Args): Promise<ScriptReply>;
}
type ScriptPipeline = ChainableCommander & {
  [K in keyof ScriptCommands]: (...args: Args) => ScriptPipeline;
};

export interface RedisStoreOptions {
  /** How long the client waits for a reply (ioredis `commandTimeout`). */
  commandTimeoutMs: number;
  /** Replicas that must acknowledge a claim or a completion (`WAIT`); 0: no WAIT. */
  minReplicas: number;
  replicaWaitMs: number;
  /** Called once per failed command, for `redis_errors_total`. */
  onError?: (kind: RedisErrorKind) => void;
}

/** Idempotency records in Redis (single server, Sentinel or Cluster), one script per step. */
export class RedisIdempotencyStore extends IdempotencyStore {
  private readonly redis: (Redis | Cluster) & ScriptCommands;
  private readonly clock = new RedisClock();

  constructor(
    redis: Redis | Cluster,
    private readonly options: RedisStoreOptions,
  ) {
    super();
    // defineCommand sends EVALSHA and falls back to EVAL after a NOSCRIPT (e.g. a restarted Redis).
    redis.defineCommand('kbffClaim', { numberOfKeys: 2, lua: CLAIM_SCRIPT });
    redis.defineCommand('kbffComplete', { numberOfKeys: 1, lua: COMPLETE_SCRIPT });
    redis.defineCommand('kbffRenew', { numberOfKeys: 1, lua: RENEW_SCRIPT });
    redis.defineCommand('kbffRelease', { numberOfKeys: 1, lua: RELEASE_SCRIPT });
    redis.defineCommand('kbffCount', { numberOfKeys: 1, lua: COUNT_SCRIPT });
    this.redis = redis as (Redis | Cluster) & ScriptCommands;
    // A reconnect may reach another server (a restart, a failover): sample its clock again.
    redis.on('ready', () => this.clock.reset());
  }

  async claim(scope: RecordScope, request: ClaimRequest): Promise<ClaimResult> {
    const { fingerprint, owner, correlationId, leaseMs, ttlSeconds, rateLimit } = request;
    const sentAt = await this.sendTime();
    // The WAIT after the claim is part of the caller's wait: the claim must land before it.
    const deadline = this.clock.deadline(sentAt, this.options.commandTimeoutMs - this.waitMs());
    const args = [
      recordKey(scope),
      rateKey(scope.memberId),
      fingerprint,
      owner,
      correlationId,
      leaseMs,
      ttlSeconds,
      rateLimit.limit,
      rateLimit.windowMs,
      deadline,
    ];
    const { reply, acks } = await this.replicated(
      () => this.redis.kbffClaim(...args),
      (pipeline) => pipeline.kbffClaim(...args),
    );
    const [kind, cid, a, b, count, reset, now] = reply;
    this.clock.observe(sentAt, Date.now(), now);
    if (kind === 'late') throw this.late('claim');
    if (kind === 'claimed' && acks < this.options.minReplicas) {
      // Not on enough replicas to survive a failover: KONA must not be called on it.
      await this.release(scope, owner).catch(() => undefined);
      throw this.unreplicated('claim', acks);
    }
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
    const args = [
      recordKey(scope),
      owner,
      response.status,
      response.body,
      ttlSeconds,
      response.correlationId,
    ];
    const { reply, acks } = await this.replicated(
      () => this.redis.kbffComplete(...args),
      (pipeline) => pipeline.kbffComplete(...args),
    );
    // Stored on the primary only: the caller retries (completing again is harmless).
    if (reply === 1 && acks < this.options.minReplicas) throw this.unreplicated('answer', acks);
    return reply === 1;
  }

  async renew(scope: RecordScope, owner: string, leaseMs: number): Promise<boolean> {
    const { reply } = await this.replicated(
      () => this.redis.kbffRenew(recordKey(scope), owner, leaseMs),
      (pipeline) => pipeline.kbffRenew(recordKey(scope), owner, leaseMs),
    );
    return reply === 1;
  }

  async release(scope: RecordScope, owner: string): Promise<boolean> {
    return (await this.guard(this.redis.kbffRelease(recordKey(scope), owner))) === 1;
  }

  async countRequest(
    memberId: MemberId,
    rateLimit: ClaimRequest['rateLimit'],
  ): Promise<(RateState & { limited: boolean }) | undefined> {
    if (rateLimit.limit <= 0) return undefined;
    const sentAt = await this.sendTime();
    const deadline = this.clock.deadline(sentAt, this.options.commandTimeoutMs);
    const reply = await this.guard(
      this.redis.kbffCount(rateKey(memberId), rateLimit.windowMs, deadline),
    );
    const [kind, , , , count, reset, now] = reply;
    this.clock.observe(sentAt, Date.now(), now);
    if (kind === 'late') throw this.late('rate count');
    return {
      limit: rateLimit.limit,
      remaining: Math.max(0, rateLimit.limit - count),
      resetMs: reset,
      limited: count > rateLimit.limit,
    };
  }

  async ping(): Promise<void> {
    await this.guard(this.redis.ping());
  }

  /** Now, once Redis' clock is known (the first command after a (re)connect samples it). */
  private async sendTime(): Promise<number> {
    if (!this.clock.known) {
      const sentAt = Date.now();
      const [seconds, micros] = await this.guard(this.redis.time());
      this.clock.observe(
        sentAt,
        Date.now(),
        Number(seconds) * 1000 + Math.floor(Number(micros) / 1000),
      );
    }
    return Date.now();
  }

  private waitMs(): number {
    return this.options.minReplicas > 0 ? this.options.replicaWaitMs : 0;
  }

  /**
   * One round trip either way: the script alone, or the script and `WAIT` in one pipeline (WAIT
   * then covers this script's writes, on the shard that holds the key).
   */
  private async replicated<T>(
    alone: () => Promise<T>,
    inPipeline: (pipeline: ScriptPipeline) => ChainableCommander,
  ): Promise<{ reply: T; acks: number }> {
    const { minReplicas, replicaWaitMs } = this.options;
    if (minReplicas === 0) return { reply: await this.guard(alone()), acks: 0 };
    const pipeline = inPipeline(this.redis.pipeline() as ScriptPipeline);
    const results = await this.guard(pipeline.wait(minReplicas, replicaWaitMs).exec());
    const [script, wait] = results ?? [];
    const failure = script?.[0] ?? wait?.[0];
    if (failure) throw this.failed(failure);
    return { reply: script?.[1] as T, acks: Number(wait?.[1] ?? 0) };
  }

  /** Any Redis failure (down, timeout, offline queue refused) is the store being unavailable. */
  private async guard<T>(command: Promise<T>): Promise<T> {
    try {
      return await command;
    } catch (error) {
      throw this.failed(error);
    }
  }

  private failed(error: unknown): StoreUnavailableError {
    this.options.onError?.(redisErrorKind(error));
    return new StoreUnavailableError(error instanceof Error ? error.message : String(error));
  }

  private late(what: string): StoreUnavailableError {
    this.options.onError?.('late');
    return new StoreUnavailableError(`the ${what} reached Redis after the gateway stopped waiting`);
  }

  private unreplicated(what: string, acks: number): StoreUnavailableError {
    this.options.onError?.('unreplicated');
    return new StoreUnavailableError(
      `the ${what} reached ${acks} of the ${this.options.minReplicas} replicas required`,
    );
  }
}
