/**
 * This process's estimate of Redis' clock, so that a script can be given a deadline that Redis
 * checks against its own `TIME`: the pods' and Redis' clocks need not agree, only the estimate of
 * their offset must be close. Each sample is one reply carrying Redis' time; the offset is taken
 * at the middle of its round trip, within half the round trip.
 */
export class RedisClock {
  private offsetMs: number | undefined;
  private uncertaintyMs = Number.POSITIVE_INFINITY;
  private sampledAt = 0;

  get known(): boolean {
    return this.offsetMs !== undefined;
  }

  /** One reply: sent and received on the local clock, `redisNowMs` read by the script. */
  observe(sentAt: number, receivedAt: number, redisNowMs: number): void {
    const half = Math.max(0, receivedAt - sentAt) / 2;
    // A tighter sample wins; a looser one only replaces an estimate that has grown old.
    const stale = receivedAt - this.sampledAt > STALE_AFTER_MS;
    if (half > this.uncertaintyMs && !stale) return;
    this.offsetMs = redisNowMs - (sentAt + half);
    this.uncertaintyMs = half;
    this.sampledAt = receivedAt;
  }

  /** Forget the estimate (a reconnect may have reached another server, with another clock). */
  reset(): void {
    this.offsetMs = undefined;
    this.uncertaintyMs = Number.POSITIVE_INFINITY;
    this.sampledAt = 0;
  }

  /**
   * The latest Redis time at which a command sent at `sentAt` may still act for a caller who
   * waits `waitMs` for its reply: the reply needs time to come back, and the estimate has its
   * error, so both are taken off.
   */
  deadline(sentAt: number, waitMs: number): number {
    if (this.offsetMs === undefined) throw new Error('Redis clock not sampled yet');
    const margin = REPLY_MARGIN_MS + this.uncertaintyMs;
    return Math.round(sentAt + this.offsetMs + Math.max(0, waitMs - margin));
  }
}

/** Time kept for the reply to travel back before the caller's wait ends. */
const REPLY_MARGIN_MS = 250;
const STALE_AFTER_MS = 10_000;
