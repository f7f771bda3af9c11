import { LosslessNumber, isLosslessNumber, parse, stringify } from 'lossless-json';
import type { MemberId } from '../members/member-id';

/** KONA's success code (HTTP 200). */
export const KONA_SUCCESS = '000_000';

/** A KONA answer once its envelope is read; business fields keep lossless numbers. */
export interface KonaEnvelope {
  code?: string;
  description?: string;
  fields: Record<string, unknown>;
}

/**
 * Writes a request body once; the tran token signs exactly this string and exactly this string is
 * sent. Member ids become bare JSON numbers with their exact digits.
 */
export function serializeBody(body: Record<string, unknown>): string {
  const text = stringify(body);
  if (text === undefined) throw new TypeError('KONA request body is not serializable');
  return text;
}

/** Wraps a member id so the serializer writes its digits as a JSON number (no float rounding). */
export function wireMemberId(id: MemberId): LosslessNumber {
  return new LosslessNumber(id);
}

/**
 * Reads KONA's envelope. The guide never names the fields holding the result code, so
 * `code`/`resultCode` and `description`/`message`/`resultMessage` are all accepted (konaplate.md,
 * "Response envelope"). Returns undefined when the body is not a JSON object.
 */
export function decodeEnvelope(text: string): KonaEnvelope | undefined {
  let value: unknown;
  try {
    value = parse(text);
  } catch {
    return undefined;
  }
  // A bare number parses to a LosslessNumber, which is an object too: only a plain object is an envelope.
  const plain = typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!plain || isLosslessNumber(value)) return undefined;
  const fields = value as Record<string, unknown>;
  const code = firstString(fields, ['code', 'resultCode']);
  const description = firstString(fields, ['description', 'message', 'resultMessage']);
  return { code, description, fields };
}

/** A member id as KONA may send it back: a number (lossless) or a string of digits. */
export function readMemberId(value: unknown): string | undefined {
  if (isLosslessNumber(value)) return value.value;
  return typeof value === 'string' ? value : undefined;
}

/**
 * A whole number KONA sent within [min, max] (a lossless number, or a plain one), as a JS number;
 * undefined for anything else (a fraction, a string, out of range). Callers keep max within 2^53.
 */
export function readInteger(value: unknown, min: number, max: number): number | undefined {
  const text = isLosslessNumber(value)
    ? value.value
    : typeof value === 'number'
      ? String(value)
      : undefined;
  if (text === undefined || !/^-?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
}

function firstString(fields: Record<string, unknown>, names: string[]): string | undefined {
  for (const name of names) {
    const value = fields[name];
    if (typeof value === 'string') return value;
  }
  return undefined;
}
