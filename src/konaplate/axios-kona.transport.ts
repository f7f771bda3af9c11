import { HttpService } from '@nestjs/axios';
import { Injectable } from '@nestjs/common';
import { isAxiosError } from 'axios';
import type { KonaHttpRequest, KonaHttpResponse, TransportFailureKind } from './kona-transport';
import { KonaTransport, TransportFailure } from './kona-transport';
import { UndiciExchange } from './undici-exchange';

/**
 * Codes of a connect or name lookup that failed. The last two may also end a connection that had
 * been made (an ICMP error), so none of them counts as refused on a socket known to be connected.
 */
const REFUSED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TIMEOUT = new Set([
  'ECONNABORTED',
  'ETIMEDOUT',
  'ERR_CANCELED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
/** `UND_ERR_SOCKET`: undici's "other side closed" and other ends of a connection. */
const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/**
 * KONA over @nestjs/axios, whose axios runs on the undici adapter (undici-axios.adapter.ts,
 * configured in kona-axios.config.ts): keep-alive pools, no redirects.
 */
@Injectable()
export class AxiosKonaTransport extends KonaTransport {
  constructor(private readonly http: HttpService) {
    super();
  }

  async post(request: KonaHttpRequest): Promise<KonaHttpResponse> {
    // One deadline for connect, headers and body: aborting destroys the socket, so a slow-drip
    // answer cannot outlive it (axios' own `timeout` only watches idleness).
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), request.timeoutMs);
    try {
      // axiosRef directly: the Observable wrapper of HttpService.post costs per call, buys nothing here.
      // Transforms, text answers, every status an answer, no redirects: the instance's own
      // configuration (kona-axios.config.ts), so only what changes per call is given here.
      const response = await this.http.axiosRef.post<string>(request.path, request.body, {
        headers: request.headers,
        signal: controller.signal,
      });
      return { status: response.status, text: String(response.data ?? '') };
    } catch (error) {
      throw toTransportFailure(error);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The one place an axios failure becomes a {@link TransportFailure} (its contract is in
 * kona-transport.ts): the kind from the error code and whether undici had started the request
 * on a connected socket, which is also `requestWritten` (undici-exchange.ts says why). A failure
 * that did not come through the undici adapter may have been written (conservative).
 */
export function toTransportFailure(error: unknown): TransportFailure {
  if (!isAxiosError(error)) {
    return new TransportFailure('other', true, error instanceof Error ? error.message : 'unknown');
  }
  const cause = error.cause as { code?: string } | undefined;
  const code: string = error.code ?? cause?.code ?? '';
  const started = error.request instanceof UndiciExchange ? error.request.started : undefined;
  const kind: TransportFailureKind =
    REFUSED.has(code) && started !== true
      ? 'refused'
      : TIMEOUT.has(code)
        ? 'timeout'
        : RESET.has(code)
          ? 'reset'
          : 'other';
  // A connection never made carried nothing.
  const written = kind !== 'refused' && started !== false;
  return new TransportFailure(kind, written, `${code || 'error'}: ${error.message}`);
}
