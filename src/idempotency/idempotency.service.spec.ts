import { DomainError } from '../common/errors/domain.error';
import { ErrorCode } from '../common/errors/error-code';
import { parseMemberId } from '../members/member-id';
import { MetricsService, type IdempotencyOutcome } from '../observability/metrics.service';
import { testAppConfig } from '../testing/app-config.fixture';
import type { ClaimRequest, ClaimResult, RecordScope, StoredResponse } from './idempotency.store';
import { StoreUnavailableError } from './idempotency.store';
import {
  type FinalAnswer,
  IdempotencyService,
  type IdempotentRequest,
} from './idempotency.service';
import { MemoryIdempotencyStore } from './memory-idempotency.store';
import { PendingRedisWork } from '../redis/pending-work';
import { failureOf, silenceNestLogger } from '../testing/failure-of';

/** The in-process store with a hand-moved clock and switches that make each step fail. */
class ScriptedStore extends MemoryIdempotencyStore {
  claimFailure?: Error;
  completeFailure?: Error;
  /** How many complete() calls fail with completeFailure (then it clears); unset: all of them. */
  completeFailures?: number;
  releaseFailure?: Error;
  readonly steps: string[] = [];

  constructor(readonly clock = { ms: Date.parse('2026-11-22T05:30:05.000Z') }) {
    super(() => clock.ms);
  }

  override claim(scope: RecordScope, request: ClaimRequest): Promise<ClaimResult> {
    this.steps.push('claim');
    return this.claimFailure ? Promise.reject(this.claimFailure) : super.claim(scope, request);
  }

  override complete(scope: RecordScope, owner: string, response: StoredResponse, ttl: number) {
    this.steps.push('complete');
    if (this.completeFailure) {
      const failure = this.completeFailure;
      if (this.completeFailures !== undefined && --this.completeFailures <= 0) {
        this.completeFailure = undefined;
      }
      return Promise.reject(failure);
    }
    return super.complete(scope, owner, response, ttl);
  }

  override renew(scope: RecordScope, owner: string, leaseMs: number): Promise<boolean> {
    this.steps.push('renew');
    return super.renew(scope, owner, leaseMs);
  }

  override release(scope: RecordScope, owner: string): Promise<boolean> {
    this.steps.push('release');
    return this.releaseFailure ? Promise.reject(this.releaseFailure) : super.release(scope, owner);
  }
}

/** An upstream call that records what it was given and answers from a script. */
class FakeUpstream {
  readonly calls: { correlationId: string; at: Date }[] = [];
  private readonly script: (() => Promise<FinalAnswer>)[] = [];

  then(answer: () => Promise<FinalAnswer>): this {
    this.script.push(answer);
    return this;
  }

  readonly call = (correlationId: string, at: Date): Promise<FinalAnswer> => {
    this.calls.push({ correlationId, at });
    const next = this.script.shift();
    return next ? next() : Promise.resolve({ status: 200, body: '{"realNameRegistered":true}' });
  };
}

/** Hands out correlation ids like the instance's generator does, remembering their instants. */
class CorrelationIds {
  readonly instants: Date[] = [];
  private n = 0;
  readonly next = (): Promise<{ id: string; at: Date }> => {
    const at = new Date();
    this.instants.push(at);
    this.n += 1;
    return Promise.resolve({ id: `261122143005-${this.n.toString(16).padStart(7, '0')}`, at });
  };
}

const LEASE_MS = 3000;
const COMPLETION_RETRY_MS = 300;
const REQUEST: IdempotentRequest = {
  memberId: parseMemberId('9999999999999999999')!,
  key: 'key-1',
  method: 'POST',
  path: '/v1/me/real-name-registration',
  body: { identityVerified: true },
};

function setup(rateLimitPerMinute = 20) {
  const store = new ScriptedStore();
  const metrics = new MetricsService();
  const config = testAppConfig({
    idempotency: { leaseMs: LEASE_MS, ttlSeconds: 3600, completionRetryMs: COMPLETION_RETRY_MS },
    rateLimitPerMinute,
  });
  const pending = new PendingRedisWork();
  const service = new IdempotencyService(config, store, metrics, pending);
  const ids = new CorrelationIds();
  return { service, store, metrics, pending, upstream: new FakeUpstream(), ids };
}

async function outcomeCount(metrics: MetricsService, outcome: IdempotencyOutcome) {
  const all = await metrics.registry.getMetricsAsJSON();
  const counter = all.find((m) => m.name === 'idempotency_outcomes_total');
  return counter?.values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

/** Polls a condition (the background retry runs on real timers). */
async function waitUntil(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

silenceNestLogger();

describe('IdempotencyService, a fresh key', () => {
  it('calls upstream once with the new correlation id and answers 200 with its body', async () => {
    // Arrange
    const { service, upstream, ids, metrics } = setup();

    // Act
    const outcome = await service.run(REQUEST, ids.next, upstream.call);

    // Assert
    expect(upstream.calls).toHaveLength(1);
    expect(upstream.calls[0].correlationId).toBe('261122143005-0000001');
    expect(outcome).toMatchObject({
      status: 200,
      body: '{"realNameRegistered":true}',
      correlationId: '261122143005-0000001',
      replayed: false,
    });
    expect(await outcomeCount(metrics, 'claimed')).toBe(1);
  });

  it('passes the upstream call the same instant the correlation id was made from', async () => {
    // Arrange
    const { service, upstream, ids } = setup();

    // Act
    await service.run(REQUEST, ids.next, upstream.call);

    // Assert
    expect(ids.instants).toHaveLength(1);
    expect(upstream.calls[0].at).toBe(ids.instants[0]);
  });

  it('sends the RateLimit headers with the answer', async () => {
    // Arrange
    const { service, upstream, ids } = setup(20);

    // Act
    const outcome = await service.run(REQUEST, ids.next, upstream.call);

    // Assert
    expect(outcome.headers).toEqual({
      'ratelimit-limit': '20',
      'ratelimit-remaining': '19',
      'ratelimit-reset': '60',
    });
  });

  it('replays the stored answer for the same key and body without calling upstream again', async () => {
    // Arrange
    const { service, upstream, ids, metrics } = setup();
    const first = await service.run(REQUEST, ids.next, upstream.call);

    // Act
    const second = await service.run(REQUEST, ids.next, upstream.call);

    // Assert
    expect(upstream.calls).toHaveLength(1);
    expect(second).toMatchObject({
      status: first.status,
      body: first.body,
      correlationId: first.correlationId,
      replayed: true,
    });
    expect(await outcomeCount(metrics, 'replayed')).toBe(1);
  });
});

describe('IdempotencyService, upstream answers', () => {
  it('stores the final refusal the call resolves with and returns it', async () => {
    // Arrange
    const { service, upstream, ids, store } = setup();
    const refusal = '{"code":"WALLET_USER_NOT_FOUND","status":404,"upstreamCode":"001_006"}';
    upstream.then(() => Promise.resolve({ status: 404, body: refusal }));

    // Act
    const outcome = await service.run(REQUEST, ids.next, upstream.call);

    // Assert
    expect(outcome).toMatchObject({
      status: 404,
      body: refusal,
      correlationId: '261122143005-0000001',
      replayed: false,
    });
    expect(store.steps).toEqual(['claim', 'complete']);
  });

  it('replays a stored refusal byte for byte', async () => {
    // Arrange
    const { service, upstream, ids } = setup();
    upstream.then(() => Promise.resolve({ status: 422, body: '{"code":"ACCOUNT_NOT_LINKED"}' }));
    const first = await service.run(REQUEST, ids.next, upstream.call);

    // Act
    const second = await service.run(REQUEST, ids.next, upstream.call);

    // Assert
    expect(upstream.calls).toHaveLength(1);
    expect(second).toMatchObject({ status: 422, body: first.body, replayed: true });
  });

  it('releases the key and rethrows when the call throws (no final answer)', async () => {
    // Arrange
    const { service, upstream, ids, store } = setup();
    const timeout = new DomainError(ErrorCode.UpstreamTimeout, { outcomeUnknown: true });
    upstream.then(() => Promise.reject(timeout));

    // Act
    const run = service.run(REQUEST, ids.next, upstream.call);

    // Assert
    await expect(run).rejects.toBe(timeout);
    expect(store.steps).toEqual(['claim', 'release']);
  });

  it.each([
    [
      'a refused connection (no KONA code)',
      new DomainError(ErrorCode.UpstreamUnavailable, { retryAfter: 2 }),
    ],
    ['an unexpected bug', new TypeError('boom')],
  ])('releases the key and rethrows %s', async (_, failure) => {
    // Arrange
    const { service, upstream, ids, store } = setup();
    upstream.then(() => Promise.reject(failure));

    // Act
    const run = service.run(REQUEST, ids.next, upstream.call);

    // Assert
    await expect(run).rejects.toBe(failure);
    expect(store.steps).toEqual(['claim', 'release']);
  });

  it('retries a released key upstream with its first correlation id', async () => {
    // Arrange
    const { service, upstream, ids, metrics } = setup();
    upstream.then(() =>
      Promise.reject(new DomainError(ErrorCode.UpstreamTimeout, { outcomeUnknown: true })),
    );
    await service.run(REQUEST, ids.next, upstream.call).catch(() => undefined);

    // Act
    const outcome = await service.run(REQUEST, ids.next, upstream.call);

    // Assert
    expect(upstream.calls.map((c) => c.correlationId)).toEqual([
      '261122143005-0000001',
      '261122143005-0000001',
    ]);
    expect(outcome.correlationId).toBe('261122143005-0000001');
    expect(await outcomeCount(metrics, 'retried')).toBe(1);
  });

  it('still rethrows the upstream error when releasing the key fails', async () => {
    // Arrange
    const { service, upstream, ids, store } = setup();
    const timeout = new DomainError(ErrorCode.UpstreamTimeout, { outcomeUnknown: true });
    upstream.then(() => Promise.reject(timeout));
    store.releaseFailure = new StoreUnavailableError('connection lost');

    // Act
    const run = service.run(REQUEST, ids.next, upstream.call);

    // Assert
    await expect(run).rejects.toBe(timeout);
  });

  it('returns the answer at once when storing it fails, and counts the failure once retries give up', async () => {
    // Arrange
    const { service, upstream, ids, store, metrics, pending } = setup();
    store.completeFailure = new StoreUnavailableError('command timed out');

    // Act
    const outcome = await service.run(REQUEST, ids.next, upstream.call);
    const countedAtAnswer = await outcomeCount(metrics, 'complete_failed');
    await pending.settle(5 * COMPLETION_RETRY_MS);

    // Assert
    expect(outcome).toMatchObject({ status: 200, body: '{"realNameRegistered":true}' });
    expect(countedAtAnswer).toBe(0);
    expect(store.steps.filter((step) => step === 'complete').length).toBeGreaterThan(2);
    expect(await outcomeCount(metrics, 'complete_failed')).toBe(1);
  });

  it('stores the answer on a later attempt, so a retry with the key is a replay, not a second call', async () => {
    // Arrange: Redis misses the first two attempts (a short stall).
    const { service, upstream, ids, store, metrics, pending } = setup();
    store.completeFailure = new StoreUnavailableError('command timed out');
    store.completeFailures = 2;

    // Act
    const first = await service.run(REQUEST, ids.next, upstream.call);
    await pending.settle(5 * COMPLETION_RETRY_MS);
    store.clock.ms += LEASE_MS;
    const retry = await service.run(REQUEST, ids.next, upstream.call);

    // Assert
    expect(upstream.calls).toHaveLength(1);
    expect(retry).toMatchObject({ replayed: true, status: first.status, body: first.body });
    expect(await outcomeCount(metrics, 'completed_late')).toBe(1);
    expect(await outcomeCount(metrics, 'complete_failed')).toBe(0);
  });

  it('renews the lease while the answer is retried, so nobody takes the key over meanwhile', async () => {
    // Arrange: storing fails for the whole budget.
    const { service, upstream, ids, store, pending } = setup();
    store.completeFailure = new StoreUnavailableError('command timed out');
    await service.run(REQUEST, ids.next, upstream.call);
    // Two thirds of the lease pass before a renewal, then the rest and more: without renewal
    // the lease would have ended (claim + LEASE_MS), with it it ends at renewal + LEASE_MS.
    store.clock.ms += (2 * LEASE_MS) / 3;
    const renewals = store.steps.length;
    await waitUntil(() => store.steps.slice(renewals).includes('renew'));
    store.clock.ms += (2 * LEASE_MS) / 3;

    // Act
    const second = await failureOf(service.run(REQUEST, ids.next, upstream.call));
    await pending.settle(5 * COMPLETION_RETRY_MS);

    // Assert
    expect(upstream.calls).toHaveLength(1);
    expect(second).toBeInstanceOf(DomainError);
    expect(second.code).toBe(ErrorCode.IdempotencyKeyInUse);
  });

  it('takes over a key whose holder let the lease expire, with its correlation id', async () => {
    // Arrange: the first holder never answers.
    const { service, upstream, ids, store, metrics } = setup();
    upstream.then(() => new Promise(() => undefined));
    void service.run(REQUEST, ids.next, upstream.call);
    await Promise.resolve();
    store.clock.ms += LEASE_MS;

    // Act
    const outcome = await service.run(REQUEST, ids.next, upstream.call);

    // Assert
    expect(upstream.calls.map((c) => c.correlationId)).toEqual([
      '261122143005-0000001',
      '261122143005-0000001',
    ]);
    expect(outcome.replayed).toBe(false);
    expect(await outcomeCount(metrics, 'taken_over')).toBe(1);
  });
});

describe('IdempotencyService, refusals', () => {
  it('answers STORE_UNAVAILABLE with Retry-After and calls nothing when the store is down', async () => {
    // Arrange
    const { service, upstream, ids, store, metrics } = setup();
    store.claimFailure = new StoreUnavailableError('connect ECONNREFUSED');

    // Act
    const error = await failureOf(service.run(REQUEST, ids.next, upstream.call));

    // Assert
    expect(error.code).toBe(ErrorCode.StoreUnavailable);
    expect(error.details.retryAfter).toBeGreaterThanOrEqual(1);
    expect(upstream.calls).toHaveLength(0);
    expect(await outcomeCount(metrics, 'store_error')).toBe(1);
  });

  it('lets an unexpected claim error through and calls nothing', async () => {
    // Arrange
    const { service, upstream, ids, store } = setup();
    const bug = new TypeError('bug in the store');
    store.claimFailure = bug;

    // Act
    const run = service.run(REQUEST, ids.next, upstream.call);

    // Assert
    await expect(run).rejects.toBe(bug);
    expect(upstream.calls).toHaveLength(0);
  });

  it('answers IDEMPOTENCY_KEY_IN_USE with Retry-After while another request holds the key', async () => {
    // Arrange: the first request is still waiting for KONA; 500 ms of its 3 s lease have passed.
    const { service, upstream, ids, store, metrics } = setup();
    let answer: (value: FinalAnswer) => void = () => undefined;
    upstream.then(() => new Promise((resolve) => (answer = resolve)));
    const first = service.run(REQUEST, ids.next, upstream.call);
    await Promise.resolve();
    store.clock.ms += 500;

    // Act
    const error = await failureOf(service.run(REQUEST, ids.next, upstream.call));

    // Assert
    expect(error.code).toBe(ErrorCode.IdempotencyKeyInUse);
    expect(error.details.retryAfter).toBe(2); // 2500 ms left, but polling is capped at 2 s
    expect(error.details.correlationId).toBe('261122143005-0000001'); // the holder's, first made
    expect(upstream.calls).toHaveLength(1);
    expect(await outcomeCount(metrics, 'in_use')).toBe(1);
    answer({ status: 200, body: '{"realNameRegistered":true}' });
    await expect(first).resolves.toMatchObject({ status: 200 });
  });

  it('never answers Retry-After 0 for a key in use: 1 ms left is 1 s', async () => {
    // Arrange
    const { service, upstream, ids, store } = setup();
    let answer: (value: FinalAnswer) => void = () => undefined;
    upstream.then(() => new Promise((resolve) => (answer = resolve)));
    const first = service.run(REQUEST, ids.next, upstream.call);
    await Promise.resolve();
    store.clock.ms += LEASE_MS - 1;

    // Act
    const error = await failureOf(service.run(REQUEST, ids.next, upstream.call));

    // Assert
    expect(error.details.retryAfter).toBe(1);
    answer({ status: 200, body: '{}' });
    await first;
  });

  it('answers IDEMPOTENCY_KEY_REUSED for the same key with another body', async () => {
    // Arrange
    const { service, upstream, ids, metrics } = setup();
    await service.run(REQUEST, ids.next, upstream.call);

    // Act
    const error = await failureOf(
      service.run({ ...REQUEST, body: { identityVerified: false } }, ids.next, upstream.call),
    );

    // Assert
    expect(error.code).toBe(ErrorCode.IdempotencyKeyReused);
    expect(upstream.calls).toHaveLength(1);
    expect(await outcomeCount(metrics, 'reused')).toBe(1);
  });

  it('answers IDEMPOTENCY_KEY_REUSED for the same key on another route', async () => {
    // Arrange
    const { service, upstream, ids } = setup();
    await service.run(REQUEST, ids.next, upstream.call);

    // Act
    const error = await failureOf(
      service.run(
        { ...REQUEST, method: 'PUT', path: '/v1/me/cards/ABCD1234567890123456789WXYZ/limits' },
        ids.next,
        upstream.call,
      ),
    );

    // Assert
    expect(error.code).toBe(ErrorCode.IdempotencyKeyReused);
  });

  it('answers RATE_LIMITED with Retry-After and RateLimit headers past the per-minute limit', async () => {
    // Arrange
    const { service, upstream, ids, store, metrics } = setup(1);
    await service.run(REQUEST, ids.next, upstream.call);
    store.clock.ms += 15_000;

    // Act
    const error = await failureOf(
      service.run({ ...REQUEST, key: 'key-2' }, ids.next, upstream.call),
    );

    // Assert
    expect(error.code).toBe(ErrorCode.RateLimited);
    expect(error.details.retryAfter).toBe(45);
    expect(error.details.headers).toEqual({
      'ratelimit-limit': '1',
      'ratelimit-remaining': '0',
      'ratelimit-reset': '45',
    });
    expect(upstream.calls).toHaveLength(1);
    expect(await outcomeCount(metrics, 'rate_limited')).toBe(1);
  });
});
