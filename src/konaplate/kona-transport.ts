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

/** Why no answer came back. `refused`: nothing was sent, so KONA cannot have acted. */
export type TransportFailureKind = 'refused' | 'timeout' | 'reset' | 'other';

export class TransportFailure extends Error {
  constructor(
    readonly kind: TransportFailureKind,
    /** True when a reused keep-alive socket failed before any byte of the answer. */
    readonly staleSocket: boolean,
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
