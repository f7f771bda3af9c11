import { type ErrorCode } from './error-code';

export interface FieldError {
  field: string;
  message: string;
}

export interface DomainErrorDetails {
  detail?: string;
  correlationId?: string;
  upstreamCode?: string;
  errors?: FieldError[];
  /** Seconds, for `Retry-After`. */
  retryAfter?: number;
  /** Extra response headers (e.g. RateLimit-*). */
  headers?: Record<string, string>;
  /**
   * KONA may or may not have acted (timeout, reset, 5xx, unreadable answer): the outcome is
   * unknown, so it must not be remembered as final for an idempotency key.
   */
  outcomeUnknown?: boolean;
  /**
   * KONA's final word (a code the operation maps): the answer to remember for an idempotency key.
   * Set only where KONA's answer is interpreted (src/konaplate/kona-result.ts).
   */
  final?: boolean;
}

/**
 * An error the mobile app is meant to see. Thrown anywhere; turned into problem+json only by
 * the problem filter, so the HTTP mapping lives in one place.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly details: DomainErrorDetails = {},
  ) {
    super(details.detail ?? code);
    this.name = 'DomainError';
  }
}
