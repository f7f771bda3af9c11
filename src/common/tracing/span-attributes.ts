/**
 * The gateway's own span attributes (OpenTelemetry's conventions name the HTTP and database ones).
 * None may ever carry a secret: no key, token, bearer credential, request body or full PAR.
 */
export const SPAN_ATTRIBUTES = {
  /** KONA's transaction number (X-KM-Correlation-Id), the one the app sees as X-Correlation-Id. */
  correlationId: 'kona_bff.correlation_id',
  /** The KONA operation (`namedcard`, `card-limit-update`, …), as in the metrics' labels. */
  operation: 'kona_bff.operation',
  /** How the step ended: a store step's result, a KONA exchange's status, the answer's code. */
  outcome: 'kona_bff.outcome',
  /** What KONA's answer meant (`success`, a KONA code, `timeout`, …), on the request's span. */
  upstreamOutcome: 'kona_bff.upstream_outcome',
  /** The answer's X-Request-Id. */
  requestId: 'kona_bff.request_id',
} as const;

/** The instrumentation scope of every span the gateway makes. */
export const TRACER_NAME = 'kona-bff';
