import type { KonaTimeZone } from '../config/app-config';

/** Offsets of the zones KONA accepts; KST has no daylight saving time. */
const OFFSET_MS: Record<KonaTimeZone, number> = { KST: 9 * 3_600_000, UTC: 0 };

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * Formats one instant as KONA wants it, in the zone `X-KM-Time-Zone` names, whatever the process
 * TZ (containers run in UTC): `yyyyMMddHHmmssSSS` (17 digits, the tran-token time).
 */
export function konaTime17(instant: Date, zone: KonaTimeZone): string {
  const t = new Date(instant.getTime() + OFFSET_MS[zone]);
  return (
    pad(t.getUTCFullYear(), 4) +
    pad(t.getUTCMonth() + 1) +
    pad(t.getUTCDate()) +
    pad(t.getUTCHours()) +
    pad(t.getUTCMinutes()) +
    pad(t.getUTCSeconds()) +
    pad(t.getUTCMilliseconds(), 3)
  );
}
