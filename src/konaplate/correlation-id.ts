import type { KonaTimeZone } from '../config/app-config';
import { konaTime17 } from './kona-time';

/** KONA's transaction number: `yyMMddHHmmss-xxxxxxx`, 20 characters (KONA guide, common headers). */
export const CORRELATION_ID_PATTERN = /^\d{12}-[0-9a-f]{7}$/;

/** The 7 hex characters: 3 for the instance's slot, 4 for its sequence within the second. */
export const SLOT_COUNT = 0x1000;
export const SEQUENCES_PER_SECOND = 0x10000;

/**
 * The id of the `sequence`-th call an instance holding `slot` makes in the second of `instant`,
 * in KONA's zone. Unique by construction: no two (slot, second, sequence) are ever handed out
 * twice (src/correlation), so two transactions share an id only when one is the other's retry.
 */
export function formatCorrelationId(
  instant: Date,
  zone: KonaTimeZone,
  slot: number,
  sequence: number,
): string {
  if (!Number.isInteger(slot) || slot < 0 || slot >= SLOT_COUNT) {
    throw new RangeError(`slot ${slot} is outside 0..${SLOT_COUNT - 1}`);
  }
  if (!Number.isInteger(sequence) || sequence < 0 || sequence >= SEQUENCES_PER_SECOND) {
    throw new RangeError(`sequence ${sequence} is outside 0..${SEQUENCES_PER_SECOND - 1}`);
  }
  const hex = slot.toString(16).padStart(3, '0') + sequence.toString(16).padStart(4, '0');
  return `${konaTime17(instant, zone).slice(2, 14)}-${hex}`;
}
