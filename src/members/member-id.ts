/**
 * A KONA member id: 1 … 9999999999999999999, beyond both Number.MAX_SAFE_INTEGER and signed
 * 64-bit (KONA guide, userId). Carried as its decimal digits, never as a JS number.
 */
export type MemberId = string & { readonly __brand: 'MemberId' };

const DIGITS = /^[1-9][0-9]{0,18}$/;

/** Returns the member id for a claim value, or undefined when it is not one. */
export function parseMemberId(value: unknown): MemberId | undefined {
  // A JWT claim that is a JSON number has already been through JSON.parse: only a safe
  // integer is known to hold the digits the issuer wrote.
  const digits = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  return typeof digits === 'string' && DIGITS.test(digits) ? (digits as MemberId) : undefined;
}
