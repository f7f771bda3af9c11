/**
 * Test-side KONA client: builds headers and X-KM-Tran-Token with node:crypto on its own, without
 * importing the sandbox's checking code, so the tests compare two independent implementations.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { SANDBOX_DEMO } from './demo-credentials';

export const NAMEDCARD_PATH = '/api/v1/user/namedcard';
export const LIMIT_PATH = '/api/v1/card/payment/limit/update';
export const CARD_LIST_PATH = '/api/v1/user/card/list';
export const CARD_STATUS_PATH = '/api/v1/card/status';
/** A well-formed 27-character PAR. */
export const TEST_PAR = 'ABCD1234EFGH5678IJKL9012MNO';

/** A namedcard body with `userId` written as a bare JSON number of exactly these digits. */
export function namedcardBody(userId: string, flag = 'Y'): string {
  return `{"userId":${userId},"isCheckNamedYn":"${flag}"}`;
}

/** A limit-update body; `limits` is raw JSON text so tests can break it. */
export function limitBody(
  userId: string,
  par = TEST_PAR,
  limits = '{"once":100000,"day":500000,"month":2000000}',
): string {
  return `{"userId":${userId},"par":"${par}","limits":${limits}}`;
}

/** A card-list (Search for Card) body; `par` / `physicalCardNo` are added only when given. */
export function cardListBody(
  userId: string,
  restrict: { par?: string; physicalCardNo?: string } = {},
): string {
  const extra =
    (restrict.par === undefined ? '' : `,"par":"${restrict.par}"`) +
    (restrict.physicalCardNo === undefined ? '' : `,"physicalCardNo":"${restrict.physicalCardNo}"`);
  return `{"userId":${userId}${extra}}`;
}

/** A card-status body; `status` is raw text so tests can break it (default SUSPEND). */
export function cardStatusBody(userId: string, par: string, status = 'SUSPEND'): string {
  return `{"userId":${userId},"par":"${par}","status":"${status}"}`;
}

/** `yyyyMMddHHmmss` and `yyyyMMddHHmmssSSS` of an instant, as a wall clock in the zone. */
export function konaTime(
  instantMs: number,
  zone: 'KST' | 'UTC',
): { tranTime: string; time17: string } {
  const iso = new Date(instantMs + (zone === 'KST' ? 9 * 3_600_000 : 0)).toISOString();
  const tranTime = iso.slice(0, 19).replace(/[-T:]/g, '');
  return { tranTime, time17: tranTime + iso.slice(20, 23) };
}

/** `KMV1:<time17>:<base64 HMAC-SHA256(secret, body)>`. */
export function tranToken(
  body: string,
  time17: string,
  secretKey: string = SANDBOX_DEMO.secretKey,
): string {
  const mac = createHmac('sha256', Buffer.from(secretKey, 'utf8'))
    .update(body, 'utf8')
    .digest('base64');
  return `KMV1:${time17}:${mac}`;
}

/** How a test call departs from a correct one. */
export interface CallOptions {
  path?: string;
  method?: string;
  body?: string;
  /** Sign these bytes instead of the body sent. */
  signedBody?: string;
  /** Zone the clock is formatted in (default KST). */
  clockZone?: 'KST' | 'UTC';
  /** Zone declared in X-KM-Time-Zone (default: the clock zone). */
  declaredZone?: string;
  instantMs?: number;
  secretKey?: string;
  /** Last word on the headers: set, change or delete (undefined) any of them. */
  headers?: Record<string, string | undefined>;
  /** Changes headers computed from the signed ones (e.g. to cut the token). */
  mutate?: (headers: Record<string, string>) => void;
  signal?: AbortSignal;
}

/** Correct KONA headers for a body, then the test's departures. */
export function konaHeaders(body: string, options: CallOptions = {}): Record<string, string> {
  const clockZone = options.clockZone ?? 'KST';
  const { tranTime, time17 } = konaTime(options.instantMs ?? Date.now(), clockZone);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Accept: 'application/json',
    'X-KM-User-AspId': SANDBOX_DEMO.aspId,
    'X-KM-Access-Key': SANDBOX_DEMO.accessKey,
    'X-KM-Correlation-Id': `${tranTime.slice(2)}-${randomBytes(4).toString('hex').slice(0, 7)}`,
    'X-KM-Tran-Time': tranTime,
    'X-KM-Time-Zone': options.declaredZone ?? clockZone,
    'X-KM-Tran-Token': tranToken(options.signedBody ?? body, time17, options.secretKey),
  };
  options.mutate?.(headers);
  const merged: Record<string, string | undefined> = { ...headers, ...options.headers };
  return Object.fromEntries(
    Object.entries(merged).filter((pair): pair is [string, string] => pair[1] !== undefined),
  );
}

/** Sends one KONA call to the sandbox (default: namedcard for an ordinary member). */
export function callKona(baseUrl: string, options: CallOptions = {}): Promise<Response> {
  const body = options.body ?? namedcardBody('2000001');
  return fetch(baseUrl + (options.path ?? NAMEDCARD_PATH), {
    method: options.method ?? 'POST',
    headers: konaHeaders(body, options),
    body: options.method === undefined || options.method === 'POST' ? body : undefined,
    signal: options.signal,
  });
}
