import { DomainError } from '../common/errors/domain.error';
import { ErrorCode } from '../common/errors/error-code';
import type { RateState } from './idempotency.store';
import { rateLimitHeaders } from './rate-limit-headers';

/** The first call usually ends well before its lease: clients poll soon, not at lease end. */
const MAX_IN_USE_RETRY_AFTER_S = 2;

/** 409: another request holds the key; its correlation id and when to look again. */
export function keyInUse(
  correlationId: string,
  retryAfterMs: number,
  headers: Record<string, string>,
): DomainError {
  return new DomainError(ErrorCode.IdempotencyKeyInUse, {
    detail: 'Another request with this Idempotency-Key is still running; retry later.',
    correlationId,
    retryAfter: Math.min(MAX_IN_USE_RETRY_AFTER_S, Math.max(1, Math.ceil(retryAfterMs / 1000))),
    headers,
  });
}

/** 422: the key was used for another request (body, route or card). */
export function keyReused(headers: Record<string, string>): DomainError {
  return new DomainError(ErrorCode.IdempotencyKeyReused, {
    detail: 'This Idempotency-Key was used with a different request; use a new key.',
    headers,
  });
}

/** 429: over the member's limit, with when the window resets. */
export function rateLimited(rate: RateState | undefined, windowMs: number): DomainError {
  const retryAfter = Math.max(1, Math.ceil((rate?.resetMs ?? windowMs) / 1000));
  return new DomainError(ErrorCode.RateLimited, {
    detail: 'Too many requests for this member; retry after the time given.',
    retryAfter,
    headers: rate ? rateLimitHeaders(rate) : {},
  });
}

/** 503: the store cannot record the request, so nothing was sent upstream. */
export function storeUnavailable(): DomainError {
  return new DomainError(ErrorCode.StoreUnavailable, {
    detail: 'The request could not be recorded safely; nothing was sent. Retry shortly.',
    retryAfter: 1,
  });
}
