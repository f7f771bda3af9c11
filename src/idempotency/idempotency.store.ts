import type { MemberId } from '../members/member-id';

/** The answer remembered for a key, replayed byte for byte. */
export interface StoredResponse {
  status: number;
  body: string;
  correlationId: string;
}

/** A member's record for one Idempotency-Key. */
export interface RecordScope {
  memberId: MemberId;
  key: string;
}

export interface ClaimRequest {
  /** SHA-256 of method, path and canonical body. */
  fingerprint: string;
  /** Proves ownership when completing or releasing: a stale holder cannot touch a newer claim. */
  owner: string;
  /** Used only when the key is new; a known key keeps the correlation id it was given first. */
  correlationId: string;
  leaseMs: number;
  ttlSeconds: number;
  /** Requests a member may make per window on mutating routes; 0 disables the limit. */
  rateLimit: { limit: number; windowMs: number };
}

export interface RateState {
  limit: number;
  remaining: number;
  resetMs: number;
}

/**
 * What a claim found. `rate` is absent on a replay: replays are not counted. `claimed`: the caller now holds the key (`previous` tells whether it was
 * new, a retry after an unknown outcome, or taken over from a holder whose lease expired).
 */
export type ClaimResult = (
  | { kind: 'claimed'; correlationId: string; previous: 'none' | 'released' | 'expired' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'in-use'; retryAfterMs: number; correlationId: string }
  | { kind: 'reused' }
  | { kind: 'rate-limited' }
) & { rate?: RateState };

/**
 * Port for idempotency records. Each call is one atomic step (one Redis round trip): claim also
 * counts the member's rate limit, so a fresh request costs two round trips and a replay one.
 * A step that reaches the store after its caller stopped waiting changes nothing.
 */
export abstract class IdempotencyStore {
  abstract claim(scope: RecordScope, request: ClaimRequest): Promise<ClaimResult>;
  /**
   * Stores the final answer if `owner` still holds the key; false when it no longer does.
   * Idempotent: completing again with the same answer (after a lost reply) is true again.
   */
  abstract complete(
    scope: RecordScope,
    owner: string,
    response: StoredResponse,
    ttlSeconds: number,
  ): Promise<boolean>;
  /** Extends `owner`'s lease to `leaseMs` from now; false when it no longer holds the key. */
  abstract renew(scope: RecordScope, owner: string, leaseMs: number): Promise<boolean>;
  /** Frees the key for a retry, keeping its correlation id and fingerprint, if `owner` holds it. */
  abstract release(scope: RecordScope, owner: string): Promise<boolean>;
  /**
   * Counts one request of a read-only route against the member's rate limit (the same window the
   * claims count in); `remaining` 0 with `limited` means over the limit. Undefined when disabled.
   */
  abstract countRequest(
    memberId: MemberId,
    rateLimit: ClaimRequest['rateLimit'],
  ): Promise<(RateState & { limited: boolean }) | undefined>;
  /** Resolves when the store answers; for readiness. */
  abstract ping(): Promise<void>;
}

/** Thrown by a store that cannot answer (connection down, command timeout). */
export class StoreUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}
