/** A PAR is never logged whole: first 4 and last 4 characters (konaplate.md, pitfalls). */
export function maskPar(par: string): string {
  return `${par.slice(0, 4)}…${par.slice(-4)}`;
}

export const REDACTED = '[redacted]';

/** A bearer credential, whatever follows the scheme (RFC 6750; the scheme is case-insensitive). */
const BEARER = /\b(bearer)(\s+)[^\s,;"']+/gi;
/** KONA's X-KM-Tran-Token (`KMV1:…`). */
const KONA_TOKEN = /\b(kmv\d+:)[^\s,;"']*/gi;
/** A compact JWS/JWE: its base64url header always starts with `{"` = `eyJ`. */
const JOSE = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_.-]*/g;
/** Runs of letters and digits long enough to be a PAR (27 or 29 characters) or a key. */
const LONG_RUN = /[A-Za-z0-9]{20,}/g;

function maskRun(run: string): string {
  // Words and identifiers (UnreadableAnswerError) have no digit; PARs, keys and tokens do.
  if (!/\d/.test(run)) return run;
  // Trace ids, span ids and digests: hex, 32 characters or more; no PAR is that long.
  if (run.length >= 32 && /^[0-9a-f]+$/i.test(run)) return run;
  return run.length < 32 ? maskPar(run) : REDACTED;
}

/**
 * Masks what looks like a PAR or a credential anywhere in `text`, whatever its case: a run of 20
 * to 31 letters and digits (with a digit) keeps its first and last 4 characters, a longer one
 * (unless hex) is redacted, as are bearer tokens, JOSE objects and KONA tran tokens. Idempotent.
 */
export function maskText(text: string): string {
  return text
    .replace(BEARER, (_, scheme: string, space: string) => `${scheme}${space}${REDACTED}`)
    .replace(KONA_TOKEN, (_, prefix: string) => `${prefix}${REDACTED}`)
    .replace(JOSE, REDACTED)
    .replace(LONG_RUN, maskRun);
}

const PAR_IN_PATH = /(\/cards\/)([^/?]+)/gi;

/** Percent-decoding, repeated (a double-encoded PAR is a PAR), tolerant of broken escapes. */
function decodePath(path: string): string {
  let current = path;
  for (let round = 0; round < 3 && current.includes('%'); round++) {
    const next = current.replace(/(%[0-9A-Fa-f]{2})+/g, (escapes) => {
      try {
        return decodeURIComponent(escapes);
      } catch {
        // Not UTF-8: decode byte by byte as Latin-1 so ASCII letters still come out.
        return escapes.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) =>
          String.fromCharCode(parseInt(hex, 16)),
        );
      }
    });
    if (next === current) break;
    current = next;
  }
  return current;
}

/**
 * The URL's path, without its query (which may carry anything), decoded, with the value after
 * any `/cards/` (any case) masked as a PAR and everything else passed through {@link maskText}.
 */
export function maskUrl(url: string): string {
  const query = url.indexOf('?');
  const path = decodePath(query < 0 ? url : url.slice(0, query));
  return maskText(
    path.replace(PAR_IN_PATH, (_, prefix: string, par: string) => prefix + maskPar(par)),
  );
}

/** Every string in a log object masked with {@link maskText}, errors included (as pino writes them). */
export function maskLogObject(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskText(value);
  if (typeof value !== 'object' || value === null || depth > 8) return value;
  if (Array.isArray(value)) return value.map((item) => maskLogObject(item, depth + 1));
  if (value instanceof Error) {
    const { name, message, stack } = value;
    const extra = Object.fromEntries(Object.entries(value));
    return maskLogObject({ type: name, message, stack, ...extra }, depth + 1);
  }
  if (value instanceof Date) return value;
  const masked: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) masked[key] = maskLogObject(child, depth + 1);
  return masked;
}
