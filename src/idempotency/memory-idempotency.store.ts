import type { MemberId } from '../members/member-id';
import type {
  ClaimRequest,
  ClaimResult,
  RateState,
  RecordScope,
  StoredResponse,
} from './idempotency.store';
import { IdempotencyStore } from './idempotency.store';
import { rateKey, recordKey } from './record-keys';

interface MemoryRecord {
  fingerprint: string;
  correlationId: string;
  state: 'pending' | 'released' | 'done';
  owner: string;
  leaseUntil: number;
  response?: StoredResponse;
  expiresAt: number;
}

interface Counter {
  count: number;
  resetAt: number;
}

/**
 * The same semantics as the Redis store, in this process only: for development without Redis.
 * Never used in production (config refuses to start without Redis there).
 */
export class MemoryIdempotencyStore extends IdempotencyStore {
  private readonly records = new Map<string, MemoryRecord>();
  private readonly counters = new Map<string, Counter>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    super();
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  claim(scope: RecordScope, request: ClaimRequest): Promise<ClaimResult> {
    const now = this.now();
    const key = recordKey(scope);
    const record = this.live(key, now);
    // A replay is the answer the app already paid for: it is not counted against the rate limit.
    if (record?.fingerprint === request.fingerprint && record.state === 'done' && record.response) {
      return Promise.resolve({ kind: 'replay', response: record.response });
    }
    const rate = this.count(scope.memberId, request.rateLimit, now);
    if (rate && rate.remaining < 0) {
      return Promise.resolve({ kind: 'rate-limited', rate: clamp(rate) });
    }
    const result = this.claimRecord(key, record, request, now);
    return Promise.resolve({ ...result, rate: rate && clamp(rate) });
  }

  private claimRecord(
    key: string,
    record: MemoryRecord | undefined,
    request: ClaimRequest,
    now: number,
  ): ClaimResult {
    const lease = now + request.leaseMs;
    const expiresAt = now + request.ttlSeconds * 1000;
    if (!record) {
      this.records.set(key, {
        fingerprint: request.fingerprint,
        correlationId: request.correlationId,
        state: 'pending',
        owner: request.owner,
        leaseUntil: lease,
        expiresAt,
      });
      return { kind: 'claimed', correlationId: request.correlationId, previous: 'none' };
    }
    if (record.fingerprint !== request.fingerprint) return { kind: 'reused' };
    if (record.state === 'pending' && record.leaseUntil > now) {
      return {
        kind: 'in-use',
        retryAfterMs: record.leaseUntil - now,
        correlationId: record.correlationId,
      };
    }
    const previous = record.state === 'pending' ? 'expired' : 'released';
    // A retried key lives a full TTL again, so it cannot expire mid-call.
    Object.assign(record, { owner: request.owner, state: 'pending', leaseUntil: lease, expiresAt });
    return { kind: 'claimed', correlationId: record.correlationId, previous };
  }

  complete(scope: RecordScope, owner: string, response: StoredResponse, ttlSeconds: number) {
    const existing = this.live(recordKey(scope), this.now());
    const stored = existing?.state === 'done' ? existing.response : undefined;
    const again =
      stored?.correlationId === response.correlationId &&
      stored.status === response.status &&
      stored.body === response.body;
    if (again) return Promise.resolve(true);
    const record = this.held(scope, owner);
    if (record) {
      Object.assign(record, { state: 'done', response, owner: '', leaseUntil: 0 });
      record.expiresAt = this.now() + ttlSeconds * 1000;
    }
    return Promise.resolve(record !== undefined);
  }

  renew(scope: RecordScope, owner: string, leaseMs: number): Promise<boolean> {
    const record = this.held(scope, owner);
    if (record) record.leaseUntil = this.now() + leaseMs;
    return Promise.resolve(record !== undefined);
  }

  release(scope: RecordScope, owner: string): Promise<boolean> {
    const record = this.held(scope, owner);
    if (record) Object.assign(record, { state: 'released', owner: '', leaseUntil: 0 });
    return Promise.resolve(record !== undefined);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  private held(scope: RecordScope, owner: string): MemoryRecord | undefined {
    const record = this.live(recordKey(scope), this.now());
    return record?.state === 'pending' && record.owner === owner ? record : undefined;
  }

  private live(key: string, now: number): MemoryRecord | undefined {
    const record = this.records.get(key);
    return record && record.expiresAt > now ? record : undefined;
  }

  /** Fixed window per member, like the Redis script; `remaining` below 0 means over the limit. */
  countRequest(
    memberId: MemberId,
    rateLimit: ClaimRequest['rateLimit'],
  ): Promise<(RateState & { limited: boolean }) | undefined> {
    const rate = this.count(memberId, rateLimit, this.now());
    return Promise.resolve(rate && { ...clamp(rate), limited: rate.remaining < 0 });
  }

  private count(memberId: MemberId, rateLimit: ClaimRequest['rateLimit'], now: number) {
    if (rateLimit.limit <= 0) return undefined;
    const key = rateKey(memberId);
    let counter = this.counters.get(key);
    if (!counter || counter.resetAt <= now) {
      counter = { count: 0, resetAt: now + rateLimit.windowMs };
      this.counters.set(key, counter);
    }
    counter.count += 1;
    return {
      limit: rateLimit.limit,
      remaining: rateLimit.limit - counter.count,
      resetMs: counter.resetAt - now,
    };
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, record] of this.records) if (record.expiresAt <= now) this.records.delete(key);
    for (const [key, counter] of this.counters)
      if (counter.resetAt <= now) this.counters.delete(key);
  }
}

function clamp(rate: { limit: number; remaining: number; resetMs: number }) {
  return { ...rate, remaining: Math.max(0, rate.remaining) };
}
