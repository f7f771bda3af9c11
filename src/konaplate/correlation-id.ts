import { randomBytes } from 'node:crypto';
import type { KonaTimeZone } from '../config/app-config';
import { konaTime17 } from './kona-time';

/** KONA's transaction number: `yyMMddHHmmss-xxxxxxx`, 20 characters (KONA guide, common headers). */
export const CORRELATION_ID_PATTERN = /^\d{12}-[0-9a-f]{7}$/;

/** A fresh correlation id for `instant`; the 7 hex characters come from a CSPRNG. */
export function newCorrelationId(instant: Date, zone: KonaTimeZone): string {
  const suffix = randomBytes(4).toString('hex').slice(0, 7);
  return `${konaTime17(instant, zone).slice(2, 14)}-${suffix}`;
}
