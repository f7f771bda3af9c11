import { DomainError } from '../common/errors/domain.error';
import { ErrorCode } from '../common/errors/error-code';
import type { KonaEnvelope } from './kona-wire';
import { KONA_SUCCESS, decodeEnvelope } from './kona-wire';
import type { KonaOperation } from './operations/kona-operation';
import type { KonaHttpResponse, TransportFailure } from './kona-transport';

/** KONA's code shape; anything else is one metrics label, so labels stay bounded. */
const KONA_CODE = /^\d{3}_\d{3}$/;
/** KONA's message goes into `detail` and into stored answers: bounded. */
const MAX_DETAIL = 500;

/** Seconds a caller should wait before retrying when KONA cannot be reached. */
export const UNAVAILABLE_RETRY_AFTER_S = 2;

/** The interpretation of one KONA answer: success fields, or the error the app should see. */
export type Interpreted =
  | { ok: true; fields: Record<string, unknown>; outcome: string }
  | { ok: false; error: DomainError; outcome: string };

/**
 * Turns KONA's HTTP answer into success or a {@link DomainError}, using the operation's own code
 * table. Only well-formed business answers (a code on a 2xx/4xx) are definitive; 5xx and
 * unreadable answers leave the outcome unknown.
 */
export function interpretAnswer(
  op: KonaOperation,
  response: KonaHttpResponse,
  correlationId: string,
): Interpreted {
  const envelope = decodeEnvelope(response.text);
  const { status } = response;
  if (status >= 500 || !envelope) {
    const what = status >= 500 ? `HTTP ${status}` : `an unreadable body (HTTP ${status})`;
    return unknownOutcome(correlationId, `KONA PLATE answered with ${what}.`, envelope, status);
  }
  const { code } = envelope;
  if (status >= 200 && status < 300 && (code === undefined || code === KONA_SUCCESS)) {
    return { ok: true, fields: envelope.fields, outcome: 'success' };
  }
  if (code === undefined) {
    return unknownOutcome(
      correlationId,
      `KONA PLATE answered HTTP ${status} without a code.`,
      envelope,
      status,
    );
  }
  // Object.hasOwn: a code such as "constructor" must not find Object's own machinery.
  const mapped = Object.hasOwn(op.codes, code) ? op.codes[code] : undefined;
  // A mapped code is KONA's final word; an unmapped one may be KONA refusing the gateway itself
  // (keys, clock), which a fix on our side cures, so it is not final.
  const error = mapped
    ? new DomainError(mapped, { correlationId, upstreamCode: code, final: true })
    : new DomainError(ErrorCode.UpstreamError, {
        correlationId,
        upstreamCode: code,
        detail: (envelope.description ?? `KONA PLATE answered with code ${code}.`).slice(
          0,
          MAX_DETAIL,
        ),
      });
  return { ok: false, error, outcome: KONA_CODE.test(code) ? code : 'unknown_code' };
}

function unknownOutcome(
  correlationId: string,
  detail: string,
  envelope: KonaEnvelope | undefined,
  status: number,
): Interpreted {
  const error = new DomainError(ErrorCode.UpstreamError, {
    correlationId,
    detail,
    upstreamCode: envelope?.code,
    outcomeUnknown: true,
  });
  return { ok: false, error, outcome: envelope || status >= 500 ? `http_${status}` : 'malformed' };
}

/** The error the app sees when no answer came back at all. */
export function transportError(failure: TransportFailure, correlationId: string): DomainError {
  switch (failure.kind) {
    case 'refused':
      return new DomainError(ErrorCode.UpstreamUnavailable, {
        correlationId,
        detail: 'KONA PLATE refused the connection.',
        retryAfter: UNAVAILABLE_RETRY_AFTER_S,
      });
    case 'timeout':
      return new DomainError(ErrorCode.UpstreamTimeout, {
        correlationId,
        detail: 'KONA PLATE did not answer in time; the outcome is unknown.',
        outcomeUnknown: true,
      });
    case 'reset':
    case 'other':
      return new DomainError(ErrorCode.UpstreamError, {
        correlationId,
        detail: 'The connection to KONA PLATE failed; the outcome is unknown.',
        outcomeUnknown: true,
      });
    default: {
      const unhandled: never = failure.kind;
      throw new Error(`unhandled transport failure ${String(unhandled)}`);
    }
  }
}
