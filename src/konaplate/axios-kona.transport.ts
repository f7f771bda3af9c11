import { HttpService } from '@nestjs/axios';
import { Injectable } from '@nestjs/common';
import { isAxiosError } from 'axios';
import type { KonaHttpRequest, KonaHttpResponse, TransportFailureKind } from './kona-transport';
import { KonaTransport, TransportFailure } from './kona-transport';
import { progressOf } from './write-tracking-agent';

/**
 * Codes of a connect or name lookup that failed. The last two may also end a connection that had
 * been made (an ICMP error), so none of them counts as refused on a socket known to be connected.
 */
const REFUSED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TIMEOUT = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ERR_CANCELED']);
const RESET = new Set(['ECONNRESET', 'EPIPE']);

/**
 * KONA over @nestjs/axios with keep-alive write-tracking agents (configured in
 * konaplate.module.ts): `maxRedirects: 0` makes axios use node:http(s) directly, with those agents.
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
      const response = await this.http.axiosRef.post<string>(request.path, request.body, {
        headers: request.headers,
        // The body is already the exact string that was signed: no transform may touch it.
        transformRequest: [(data: unknown) => data],
        transformResponse: [(data: unknown) => data],
        responseType: 'text',
        validateStatus: () => true,
        signal: controller.signal,
        maxRedirects: 0,
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
 * kona-transport.ts): the kind from the error code and whether a connection was made,
 * `requestWritten` from the bytes the agent saw handed to the socket.
 */
export function toTransportFailure(error: unknown): TransportFailure {
  if (!isAxiosError(error)) {
    return new TransportFailure('other', true, error instanceof Error ? error.message : 'unknown');
  }
  const cause = error.cause as { code?: string } | undefined;
  const code: string = error.code ?? cause?.code ?? '';
  const progress = progressOf(error.request);
  const kind: TransportFailureKind =
    REFUSED.has(code) && progress.connected !== true
      ? 'refused'
      : TIMEOUT.has(code)
        ? 'timeout'
        : RESET.has(code)
          ? 'reset'
          : 'other';
  // A connection never made carried nothing, whatever a CONNECTING socket's byte count says.
  const written = kind !== 'refused' && progress.written;
  return new TransportFailure(kind, written, `${code || 'error'}: ${error.message}`);
}
