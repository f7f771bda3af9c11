import { randomInt } from 'node:crypto';
import { SLOT_COUNT } from '../konaplate/correlation-id';
import { InstanceSlot } from './instance-slot';

/** One instance and no Redis (development): any slot is unique. */
export class FixedInstanceSlot extends InstanceSlot {
  constructor(private readonly slot: number = randomInt(SLOT_COUNT)) {
    super();
  }

  current(): number {
    return this.slot;
  }
}
