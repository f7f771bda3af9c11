import type { IdempotentOutcome } from '../idempotency/idempotent-outcome';

/** What a mobile route sends: a fresh, replayed or read-only answer (the same shape for all). */
export type RouteAnswer = IdempotentOutcome;
