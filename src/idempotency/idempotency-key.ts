import { DomainError } from '../common/errors/domain.error';
import { ErrorCode } from '../common/errors/error-code';

const VISIBLE_ASCII = /^[\x21-\x7e]{1,255}$/;

/**
 * Reads the `Idempotency-Key` header. The IETF draft defines it as a structured-field string
 * (`"abc"`), and clients also send it bare (`abc`): both name the same key.
 */
export function parseIdempotencyKey(header: string | string[] | undefined): string {
  if (header === undefined || header === '') {
    throw new DomainError(ErrorCode.IdempotencyKeyMissing, {
      detail: 'Send an Idempotency-Key header (1-255 visible ASCII characters) with this request.',
    });
  }
  const raw = Array.isArray(header) ? header.join(',') : header;
  const key = unquote(raw);
  if (key === undefined || !VISIBLE_ASCII.test(key)) {
    throw new DomainError(ErrorCode.IdempotencyKeyInvalid, {
      detail: 'Idempotency-Key must be 1-255 visible ASCII characters, bare or as a quoted string.',
    });
  }
  return key;
}

/** RFC 8941 sf-string: a quoted string where only `\"` and `\\` are escapes. */
function unquote(raw: string): string | undefined {
  if (!raw.startsWith('"')) return raw;
  const match = /^"((?:[^"\\]|\\["\\])*)"$/.exec(raw);
  return match ? match[1].replace(/\\(["\\])/g, '$1') : undefined;
}
