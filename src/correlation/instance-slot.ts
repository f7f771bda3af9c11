/**
 * Port: the slot (0..4095) this instance holds, leased so that no two live instances hold the
 * same one. `current()` is undefined while no lease is valid: no correlation id may be made then.
 */
export abstract class InstanceSlot {
  abstract current(): number | undefined;
}

/** Thrown when an id is asked for while the instance holds no valid slot. */
export class NoInstanceSlotError extends Error {
  constructor() {
    super('this instance holds no correlation-id slot (Redis unreachable?)');
    this.name = 'NoInstanceSlotError';
  }
}
