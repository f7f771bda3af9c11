import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordScope, StoredResponse } from './idempotency.store';
import type { IdempotencyStore } from './idempotency.store';

export type CompletionResult = 'stored' | 'lost' | 'gave-up';

export interface CompletionRetryOptions {
  /** How long to keep trying. */
  budgetMs: number;
  /** Each renewal extends the lease this far from Redis' now. */
  leaseMs: number;
  ttlSeconds: number;
  /** First pause between attempts; doubled each time up to `maxDelayMs`. */
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Stores a final answer whose first attempt failed (Redis stalled, restarted, failed over): the
 * answer is retried with bounded backoff for `budgetMs`, and each attempt first renews the lease,
 * so no other request can take the key over (and call KONA again) while the answer is on its way.
 * Both commands go out in the same tick: one write, one round trip.
 */
export async function retryCompletion(
  store: IdempotencyStore,
  scope: RecordScope,
  owner: string,
  response: StoredResponse,
  options: CompletionRetryOptions,
  wait: (ms: number) => Promise<unknown> = sleep,
  now: () => number = Date.now,
): Promise<CompletionResult> {
  const maxDelayMs = options.maxDelayMs ?? 1000;
  const giveUpAt = now() + options.budgetMs;
  let delay = options.firstDelayMs ?? 50;
  while (now() < giveUpAt) {
    await wait(Math.min(delay, giveUpAt - now()));
    delay = Math.min(delay * 2, maxDelayMs);
    const [, completed] = await Promise.allSettled([
      store.renew(scope, owner, options.leaseMs),
      store.complete(scope, owner, response, options.ttlSeconds),
    ]);
    if (completed.status === 'fulfilled') return completed.value ? 'stored' : 'lost';
  }
  return 'gave-up';
}
