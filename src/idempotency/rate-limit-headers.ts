import type { RateState } from './idempotency.store';

/**
 * `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds), the widely deployed
 * form of the IETF RateLimit header fields draft.
 */
export function rateLimitHeaders(rate: RateState): Record<string, string> {
  return {
    'ratelimit-limit': String(rate.limit),
    'ratelimit-remaining': String(rate.remaining),
    'ratelimit-reset': String(Math.max(0, Math.ceil(rate.resetMs / 1000))),
  };
}
