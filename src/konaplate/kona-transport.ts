/** One HTTP exchange with KONA, as bytes: the client above it owns the wire format. */
export interface KonaHttpRequest {
  path: string;
  body: string;
  headers: Record<string, string>;
  /** Overall deadline for the exchange, body included; past it the socket is destroyed. */
  timeoutMs: number;
}

export interface KonaHttpResponse {
  status: number;
  text: string;
}

/**
 * Why no answer came back. `refused`: the connection to KONA was never established (connect or
 * name lookup failed), so nothing reached KONA. `timeout`: the deadline passed. `reset`: the
 * connection broke. `other`: anything else.
 */
export type TransportFailureKind = 'refused' | 'timeout' | 'reset' | 'other';

/**
 * No answer came back. The contract every transport implements, because the automatic retry
 * (send-with-retry.ts) rests on it:
 *
 * - `requestWritten` is false only when the transport KNOWS that no byte of this request left
 *   the process: no connection was ever established (`refused` is always false), or the socket
 *   failed before any byte of the request was handed to it. Whenever that is not certain (a
 *   socket that was written to, even if its peer had already closed; a request the transport
 *   could not follow), it is true: KONA may have received the request and acted on it.
 * - Only a failure with `requestWritten` false is retried; anything else is an unknown outcome
 *   for the idempotency layer (the app's retry keeps the correlation id).
 */
export class TransportFailure extends Error {
  constructor(
    readonly kind: TransportFailureKind,
    /** True when any byte of this request may have left (conservative): see the class comment. */
    readonly requestWritten: boolean,
    message: string,
  ) {
    super(message);
    this.name = 'TransportFailure';
  }
}

/** Port for the HTTP layer; the axios adapter is the production implementation. */
export abstract class KonaTransport {
  /** Resolves with any HTTP status; rejects only with a {@link TransportFailure}. */
  abstract post(request: KonaHttpRequest): Promise<KonaHttpResponse>;
}
