import { randomInt, randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { SLOT_COUNT } from '../konaplate/correlation-id';
import { InstanceSlot } from './instance-slot';
import { ACQUIRE_SLOT_SCRIPT, RENEW_SLOT_SCRIPT, SLOTS_KEY } from './slot-scripts';

export interface SlotLeaseOptions {
  /** How long one lease lasts in Redis. */
  ttlMs: number;
  /** Renewal period; a failed renewal is retried each period until the lease runs out. */
  renewEveryMs: number;
  /**
   * Taken off the lease on this side: the local validity ends this much before Redis' expiry
   * (counted from when the command was sent, so before Redis even started its TTL).
   */
  marginMs: number;
  onLost?: (reason: string) => void;
  onAcquired?: (slot: number) => void;
  /** Where the search for a free slot starts (random: replicas starting together spread out). */
  firstSlot?: () => number;
}

export const DEFAULT_SLOT_LEASE: SlotLeaseOptions = {
  ttlMs: 30_000,
  renewEveryMs: 5000,
  marginMs: 3000,
};

interface SlotCommands {
  kbffAcquireSlot(...args: (string | number)[]): Promise<number>;
  kbffRenewSlot(...args: (string | number)[]): Promise<number>;
}

/** A slot leased from Redis, renewed in the background until stop(). */
export class RedisInstanceSlot extends InstanceSlot {
  private readonly owner = randomUUID();
  private readonly redis: (Redis | Cluster) & SlotCommands;
  private slot: number | undefined;
  private validUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    redis: Redis | Cluster,
    private readonly options: SlotLeaseOptions = DEFAULT_SLOT_LEASE,
    private readonly now: () => number = Date.now,
  ) {
    super();
    redis.defineCommand('kbffAcquireSlot', { numberOfKeys: 1, lua: ACQUIRE_SLOT_SCRIPT });
    redis.defineCommand('kbffRenewSlot', { numberOfKeys: 1, lua: RENEW_SLOT_SCRIPT });
    this.redis = redis as (Redis | Cluster) & SlotCommands;
    // Once the connection drops, the lease may be gone (a Redis restarted without persistence
    // forgets `kbff:slots`, and another instance may lease the same slot): no id is made from it
    // until a renewal after the reconnect confirms it.
    redis.on('close', () => {
      this.validUntil = 0;
    });
    redis.on('ready', () => {
      if (!this.stopped && this.slot !== undefined) void this.tick();
    });
  }

  current(): number | undefined {
    return this.slot !== undefined && this.now() < this.validUntil ? this.slot : undefined;
  }

  /** Tries once now (resolving either way), then keeps the lease in the background. */
  async start(): Promise<void> {
    await this.tick();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    // Not given back: it frees itself at expiry, after which its seconds are behind everyone's.
  }

  private schedule(): void {
    if (this.stopped) return;
    const retrySoon = this.current() === undefined;
    this.timer = setTimeout(
      () => void this.tick().finally(() => this.schedule()),
      retrySoon ? Math.min(1000, this.options.renewEveryMs) : this.options.renewEveryMs,
    );
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const sentAt = this.now();
    const { ttlMs } = this.options;
    try {
      if (this.slot !== undefined) {
        const renewed = await this.redis.kbffRenewSlot(SLOTS_KEY, this.owner, ttlMs, this.slot);
        if (renewed === 1) return this.held(this.slot, sentAt);
        this.lose('the slot was taken over (a renewal came too late)');
      }
      const slot = await this.redis.kbffAcquireSlot(
        SLOTS_KEY,
        this.owner,
        ttlMs,
        (this.options.firstSlot ?? (() => randomInt(SLOT_COUNT)))(),
        SLOT_COUNT,
      );
      if (slot < 0) return this.lose(`all ${SLOT_COUNT} slots are held`);
      this.held(slot, sentAt);
      this.options.onAcquired?.(slot);
    } catch (error) {
      // Still valid until validUntil; the next tick tries again.
      if (this.current() === undefined && this.slot !== undefined) {
        this.lose(`renewal failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private held(slot: number, sentAt: number): void {
    this.slot = slot;
    this.validUntil = sentAt + this.options.ttlMs - this.options.marginMs;
  }

  private lose(reason: string): void {
    this.slot = undefined;
    this.validUntil = 0;
    this.options.onLost?.(reason);
  }
}
