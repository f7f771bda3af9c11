import { setTimeout as sleep } from 'node:timers/promises';
import type { KonaTimeZone } from '../config/app-config';
import { formatCorrelationId, SEQUENCES_PER_SECOND } from '../konaplate/correlation-id';
import { type InstanceSlot, NoInstanceSlotError } from './instance-slot';

/** A correlation id and the instant it stands for (every KONA time header derives from it). */
export interface IssuedId {
  id: string;
  at: Date;
}

/**
 * Correlation ids, unique across replicas by construction: the instance's leased slot plus a
 * sequence per second. Past 65,536 ids in one second it waits for the next second; if the clock
 * steps back it keeps counting in the last second it used: an id is never handed out twice.
 */
export class CorrelationIds {
  private second = Number.NEGATIVE_INFINITY;
  private used = 0;

  constructor(
    private readonly slot: InstanceSlot,
    private readonly zone: KonaTimeZone,
    private readonly now: () => number = Date.now,
    private readonly wait: (ms: number) => Promise<unknown> = sleep,
  ) {}

  async next(): Promise<IssuedId> {
    for (;;) {
      const slot = this.slot.current();
      if (slot === undefined) throw new NoInstanceSlotError();
      const nowMs = this.now();
      const second = Math.floor(nowMs / 1000);
      if (second > this.second) {
        this.second = second;
        this.used = 0;
      }
      if (this.used < SEQUENCES_PER_SECOND) {
        // A clock that stepped back: the instant is the start of the second the id names.
        const at = second < this.second ? new Date(this.second * 1000) : new Date(nowMs);
        const id = formatCorrelationId(at, this.zone, slot, this.used);
        this.used += 1;
        return { id, at };
      }
      await this.wait(Math.max(1, (this.second + 1) * 1000 - nowMs));
    }
  }
}
