import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** What the header and token checks compare against. */
export interface VerifyConfig {
  aspId: string;
  accessKey: string;
  secretKey: string;
  maxSkewSeconds: number;
}

/** Why a KONA call was refused, and how the sandbox answers it. */
export interface Rejection {
  /** 401 for credentials, token and clock; 400 for everything else. */
  status: 400 | 401;
  /** Sandbox-only result code, outside KONA's documented set on purpose. */
  code: '999_400' | '999_401';
  /** Exact reason; never contains a key or the token. */
  reason: string;
}

/** Header values the call log keeps (null when the header is absent). */
export interface HeaderFacts {
  correlationId: string | null;
  tranTime: string | null;
  timeZone: string | null;
  tokenValid: boolean;
}

/** Offset of each accepted `X-KM-Time-Zone` from UTC; KST has no daylight saving. */
const ZONE_OFFSET_MS: Readonly<Record<string, number>> = { KST: 9 * 3_600_000, UTC: 0 };

const CORRELATION_ID = /^[0-9]{12}-[0-9a-fA-F]{7}$/;
/** A retried transaction keeps its correlation id for the idempotency TTL (24 h) plus margin. */
const MAX_CORRELATION_AGE_MS = 25 * 3_600_000;
const TRAN_TIME = /^([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})$/;
// A 32-byte HMAC-SHA256 in padded base64 is always 43 characters and one '=': 67 in all.
const TOKEN = /^KMV1:([0-9]{17}):([A-Za-z0-9+/]{43}=)$/;
const CRYPTO_KEY_ID = /^[\x21-\x7e]{32}$/;

/** Reads the header values the call log keeps, and whether the token is valid for this body. */
export function readFacts(
  headers: IncomingHttpHeaders,
  rawBody: Buffer,
  secretKey: string,
): HeaderFacts {
  const tranTime = header(headers, 'x-km-tran-time');
  return {
    correlationId: header(headers, 'x-km-correlation-id') ?? null,
    tranTime: tranTime ?? null,
    timeZone: header(headers, 'x-km-time-zone') ?? null,
    tokenValid:
      tokenProblem(header(headers, 'x-km-tran-token'), tranTime, rawBody, secretKey) === null,
  };
}

/**
 * Checks method, media types, credentials, correlation id, clock and token of a KONA call, in that
 * order, and returns the first problem found (null when the call may proceed to body validation).
 */
export function verifyRequest(
  method: string | undefined,
  headers: IncomingHttpHeaders,
  rawBody: Buffer,
  config: VerifyConfig,
  nowMs: number,
): Rejection | null {
  const bad = (reason: string): Rejection => ({ status: 400, code: '999_400', reason });
  const denied = (reason: string): Rejection => ({ status: 401, code: '999_401', reason });

  if (method !== 'POST')
    return bad(`method ${method ?? '?'} is not allowed, KONA endpoints take POST`);

  const contentType = header(headers, 'content-type');
  if (!isJsonContentType(contentType)) {
    return bad(
      `Content-Type must be application/json (charset utf-8 allowed), got ${show(contentType)}`,
    );
  }
  const accept = header(headers, 'accept');
  if (!acceptsJson(accept)) return bad(`Accept must include application/json, got ${show(accept)}`);

  // Credentials: only say which header is wrong, never echo what was sent.
  const aspId = header(headers, 'x-km-user-aspid');
  if (aspId === undefined) return denied('X-KM-User-AspId is missing');
  if (!sameSecret(aspId, config.aspId)) {
    return denied(
      `X-KM-User-AspId does not match the configured ASP id (${aspId.length} chars sent)`,
    );
  }
  const accessKey = header(headers, 'x-km-access-key');
  if (accessKey === undefined) return denied('X-KM-Access-Key is missing');
  if (!sameSecret(accessKey, config.accessKey)) {
    return denied(
      `X-KM-Access-Key does not match the configured access key (${accessKey.length} chars sent)`,
    );
  }

  const correlationId = header(headers, 'x-km-correlation-id');
  if (correlationId === undefined) return bad('X-KM-Correlation-Id is missing');
  if (!CORRELATION_ID.test(correlationId)) {
    return bad(
      `X-KM-Correlation-Id must be yyMMddHHmmss-xxxxxxx (7 hex), got ${show(correlationId)}`,
    );
  }

  const tranTime = header(headers, 'x-km-tran-time');
  if (tranTime === undefined) return bad('X-KM-Tran-Time is missing');
  const wallClockMs = parseTranTime(tranTime);
  if (wallClockMs === null) {
    return bad(`X-KM-Tran-Time must be a valid yyyyMMddHHmmss date-time, got ${show(tranTime)}`);
  }
  const timeZone = header(headers, 'x-km-time-zone');
  if (timeZone === undefined) return bad('X-KM-Time-Zone is missing');
  const offsetMs = Object.hasOwn(ZONE_OFFSET_MS, timeZone) ? ZONE_OFFSET_MS[timeZone] : undefined;
  if (offsetMs === undefined)
    return bad(`X-KM-Time-Zone must be KST or UTC, got ${show(timeZone)}`);

  // A first attempt derives both from one instant; a retry of the same transaction (idempotency
  // key) keeps its first correlation id, so its timestamp may be older, never newer, than Tran-Time.
  const correlationMs = parseTranTime(`20${correlationId.slice(0, 12)}`);
  const ageMs = correlationMs === null ? -1 : wallClockMs - correlationMs;
  if (ageMs < 0 || ageMs > MAX_CORRELATION_AGE_MS) {
    return bad(
      `X-KM-Correlation-Id timestamp ${correlationId.slice(0, 12)} does not fit X-KM-Tran-Time ` +
        `${tranTime}: it must equal ${tranTime.slice(2)} (one instant) or, on a retry, be at most ` +
        `25 h older`,
    );
  }

  // A gateway that formats the local (container) clock but declares KST lands hours away: catch it.
  const skewSeconds = Math.round((wallClockMs - offsetMs - nowMs) / 1000);
  if (Math.abs(skewSeconds) > config.maxSkewSeconds) {
    return denied(
      `X-KM-Tran-Time ${tranTime} ${timeZone} is ${skewSeconds} s away from the sandbox clock ` +
        `(allowed ±${config.maxSkewSeconds} s): is the time formatted in the zone it declares?`,
    );
  }

  const cryptoKeyId = header(headers, 'x-km-crypto-key-id');
  if (cryptoKeyId !== undefined && !CRYPTO_KEY_ID.test(cryptoKeyId)) {
    return bad(`X-KM-Crypto-Key-Id must be 32 printable characters, got ${cryptoKeyId.length}`);
  }

  const tokenReason = tokenProblem(
    header(headers, 'x-km-tran-token'),
    tranTime,
    rawBody,
    config.secretKey,
  );
  if (tokenReason !== null) return denied(tokenReason);
  return null;
}

/**
 * What is wrong with an `X-KM-Tran-Token` (null when nothing): the shape
 * `KMV1:<yyyyMMddHHmmssSSS>:<base64 HMAC-SHA256(secretKey, exact body bytes)>`, its time agreeing with
 * `X-KM-Tran-Time`, and the MAC, compared in constant time. The reason never quotes the token.
 */
export function tokenProblem(
  token: string | undefined,
  tranTime: string | undefined,
  rawBody: Buffer,
  secretKey: string,
): string | null {
  if (token === undefined) return 'X-KM-Tran-Token is missing';
  const match = TOKEN.exec(token);
  if (match === null) {
    return (
      `X-KM-Tran-Token must be KMV1:<17 digits>:<padded base64 of a 32-byte HMAC>, 67 chars ` +
      `(${token.length} chars sent, ${token.startsWith('KMV1:') ? 'prefix ok' : 'prefix is not KMV1:'})`
    );
  }
  const [, time17, mac64] = match;
  if (tranTime === undefined || time17.slice(0, 14) !== tranTime) {
    return `X-KM-Tran-Token time ${time17} does not start with X-KM-Tran-Time ${tranTime ?? '(missing)'}`;
  }
  const sent = Buffer.from(mac64, 'base64');
  // Buffer.from is lenient: re-encoding proves the text was canonical, padded base64.
  if (sent.toString('base64') !== mac64) return 'X-KM-Tran-Token MAC is not canonical base64';
  const expected = createHmac('sha256', Buffer.from(secretKey, 'utf8')).update(rawBody).digest();
  if (!timingSafeEqual(sent, expected)) {
    return (
      'X-KM-Tran-Token MAC does not match HMAC-SHA256(secret key, exact request body bytes): ' +
      'sign the very string that is sent, after the last serialization'
    );
  }
  return null;
}

/**
 * Milliseconds of a `yyyyMMddHHmmss` wall-clock time read as if it were UTC, or null when it is not a
 * real calendar date-time (so 20250230… or hour 24 are refused).
 */
export function parseTranTime(text: string): number | null {
  const match = TRAN_TIME.exec(text);
  if (match === null) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(ms);
  const same =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  return same ? ms : null;
}

/** A header as one string; repeated headers arrive joined by Node, and then fail the checks. */
function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const [type, ...params] = value.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((param) => param === 'charset=utf-8' || param === 'charset="utf-8"');
}

function acceptsJson(value: string | undefined): boolean {
  if (value === undefined) return false;
  return value
    .split(',')
    .some((range) => range.split(';')[0].trim().toLowerCase() === 'application/json');
}

function sameSecret(sent: string, configured: string): boolean {
  const a = Buffer.from(sent, 'utf8');
  const b = Buffer.from(configured, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A header value fit for an error message: bounded and printable. */
function show(value: string | undefined): string {
  if (value === undefined) return '(missing)';
  const clipped = value.length > 60 ? value.slice(0, 60) + '...' : value;
  return JSON.stringify(clipped.replace(/[^\x20-\x7e]/g, '?'));
}
