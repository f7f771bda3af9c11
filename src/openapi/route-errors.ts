import { ERROR_SPECS, ErrorCode } from '../common/errors/error-code';
import { type KonaOperation, needsEncryption } from '../konaplate/operations/kona-operation';

/** The problem codes a route can answer with, grouped by HTTP status. */
export type RouteErrors = ReadonlyMap<number, readonly ErrorCode[]>;

/**
 * Every error code the route of `op` can send, derived from the descriptor: what every
 * authenticated route can answer, what its body, Idempotency-Key and encryption add,
 * and KONA's codes on that endpoint. The OpenAPI error tables are built from this; nothing is
 * listed per route by hand.
 */
export function routeErrorCodes(op: KonaOperation): ErrorCode[] {
  const hasBody = op.route.method !== 'GET';
  const codes: ErrorCode[] = [
    // Any request: broken HTTP framing or oversized headers (refused before routing), and a URL
    // that does not decode (an over-long path value, a broken %-escape).
    ErrorCode.BadRequest,
    ErrorCode.HeadersTooLarge,
    // Headers (or a body) that do not arrive within the edge's timeouts.
    ErrorCode.RequestTimeout,
    ErrorCode.ValidationFailed,
    ErrorCode.Unauthenticated,
    ErrorCode.RateLimited,
    ErrorCode.StoreUnavailable,
    ErrorCode.UpstreamError,
    ErrorCode.UpstreamTimeout,
    ErrorCode.UpstreamUnavailable,
    ErrorCode.Internal,
  ];
  if (hasBody) {
    codes.push(ErrorCode.MalformedBody, ErrorCode.PayloadTooLarge, ErrorCode.UnsupportedMediaType);
  }
  if (op.mutates) {
    codes.push(
      ErrorCode.IdempotencyKeyMissing,
      ErrorCode.IdempotencyKeyInvalid,
      ErrorCode.IdempotencyKeyReused,
      ErrorCode.IdempotencyKeyInUse,
    );
  }
  if (needsEncryption(op)) codes.push(ErrorCode.EncryptionNotConfigured);
  codes.push(...Object.values(op.codes));
  return [...new Set(codes)];
}

/** {@link routeErrorCodes} by HTTP status, statuses ascending, codes in enum order. */
export function routeErrors(op: KonaOperation): RouteErrors {
  const order = Object.values(ErrorCode);
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of routeErrorCodes(op).sort((a, b) => order.indexOf(a) - order.indexOf(b))) {
    const { status } = ERROR_SPECS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return new Map([...byStatus].sort(([a], [b]) => a - b));
}

/** KONA's code for each of the operation's error codes, for the documentation ("KONA 001_006"). */
export function konaCodesOf(op: KonaOperation): Map<ErrorCode, string[]> {
  const kona = new Map<ErrorCode, string[]>();
  for (const [konaCode, code] of Object.entries(op.codes)) {
    kona.set(code, [...(kona.get(code) ?? []), konaCode]);
  }
  return kona;
}
