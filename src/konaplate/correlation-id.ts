import { randomBytes } from 'node:crypto';
import type { KonaTimeZone } from '../config/app-config';
import { konaTime17 } from './kona-time';

/** KONA's transaction number: `yyMMddHHmmss-xxxxxxx`, 20 characters (KONA guide, common headers). */
export const CORRELATION_ID_PATTERN = /^\d{12}-[0-9a-f]{7}$/;

/** CSPRNG bytes drawn in blocks: one randomBytes call per 1024 ids instead of one per id. */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = POOL_BYTES;

function randomHex7(): string {
  if (offset + 4 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + 4).slice(0, 7);
  offset += 4;
  return hex;
}

/** A fresh correlation id for `instant`; the 7 hex characters come from a CSPRNG. */
export function newCorrelationId(instant: Date, zone: KonaTimeZone): string {
  return `${konaTime17(instant, zone).slice(2, 14)}-${randomHex7()}`;
}
