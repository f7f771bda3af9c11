import { HttpService } from '@nestjs/axios';
import { Injectable } from '@nestjs/common';
import { isAxiosError } from 'axios';
import type { KonaHttpRequest, KonaHttpResponse, TransportFailureKind } from './kona-transport';
import { KonaTransport, TransportFailure } from './kona-transport';

const REFUSED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TIMEOUT = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ERR_CANCELED']);
const RESET = new Set(['ECONNRESET', 'EPIPE']);

/** KONA over @nestjs/axios with a keep-alive agent (configured in konaplate.module.ts). */
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

function toTransportFailure(error: unknown): TransportFailure {
  if (!isAxiosError(error)) {
    return new TransportFailure('other', false, error instanceof Error ? error.message : 'unknown');
  }
  const cause = error.cause as { code?: string } | undefined;
  const code: string = error.code ?? cause?.code ?? '';
  const kind: TransportFailureKind = REFUSED.has(code)
    ? 'refused'
    : TIMEOUT.has(code)
      ? 'timeout'
      : RESET.has(code)
        ? 'reset'
        : 'other';
  const request = error.request as { reusedSocket?: boolean } | undefined;
  const stale = kind === 'reset' && error.response === undefined && request?.reusedSocket === true;
  return new TransportFailure(kind, stale, `${code || 'error'}: ${error.message}`);
}
