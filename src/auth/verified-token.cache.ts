import type { MemberId } from '../members/member-id';

/**
 * Tokens already verified, until they expire: an app sends the same bearer token on every call,
 * and re-verifying its signature was the largest cost of auth (bench/RESULTS.md). Bounded, oldest
 * entry evicted first, so a flood of distinct tokens cannot grow it.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { memberId: MemberId; expiresAt: number }>();

  constructor(
    private readonly capacity = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string): MemberId | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.expiresAt > this.now()) return entry.memberId;
    this.entries.delete(token);
    return undefined;
  }

  /** `expiresAt`: ms since epoch (the token's `exp`). */
  set(token: string, memberId: MemberId, expiresAt: number): void {
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, { memberId, expiresAt });
  }
}
