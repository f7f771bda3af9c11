import { hash } from 'node:crypto';
import type { MemberId } from '../members/member-id';

/**
 * Tokens already verified, until they expire: an app sends the same bearer token on every call,
 * and re-verifying its signature was the largest cost of auth (bench/RESULTS.md). Bounded, oldest
 * entry evicted first, so a flood of distinct tokens cannot grow it; keyed by the token's SHA-256,
 * so no bearer token sits in memory longer than its request.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { memberId: MemberId; expiresAt: number }>();

  constructor(
    private readonly capacity = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string): MemberId | undefined {
    const key = digest(token);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > this.now()) return entry.memberId;
    this.entries.delete(key);
    return undefined;
  }

  /** `expiresAt`: ms since epoch (the token's `exp`). */
  set(token: string, memberId: MemberId, expiresAt: number): void {
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(digest(token), { memberId, expiresAt });
  }
}

function digest(token: string): string {
  return hash('sha256', token, 'base64url');
}
