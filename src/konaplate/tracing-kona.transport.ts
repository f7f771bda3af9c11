import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import { inClientSpan } from '../common/tracing/client-span';
import { SPAN_ATTRIBUTES } from '../common/tracing/span-attributes';
import type { KonaHttpRequest, KonaHttpResponse } from './kona-transport';
import { KonaTransport, TransportFailure } from './kona-transport';
import { KONA_OPERATIONS } from './operations/kona-operations';

const { correlationId: CORRELATION_ID, operation: OPERATION, outcome: OUTCOME } = SPAN_ATTRIBUTES;

/** The one request header whose value may go on a span: the others are KONA credentials. */
const CORRELATION_HEADER = 'x-km-correlation-id';

/**
 * A CLIENT span around each HTTP exchange with KONA (a retried send is two spans), child of the
 * request's span: operation, correlation id, KONA's host and path, the status or why no answer
 * came. No other header (access key, tran token) and no body (member id, PAR) is put on it.
 */
export class TracingKonaTransport extends KonaTransport {
  private readonly operations = new Map(KONA_OPERATIONS.map((op) => [op.path, op.name]));
  private readonly server: { address: string; port: number };

  constructor(
    private readonly inner: KonaTransport,
    baseUrl: string,
  ) {
    super();
    const url = new URL(baseUrl);
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    this.server = { address: url.hostname, port };
  }

  post(request: KonaHttpRequest): Promise<KonaHttpResponse> {
    const operation = this.operations.get(request.path) ?? 'unknown';
    return inClientSpan(
      `KONA ${operation}`,
      {
        [OPERATION]: operation,
        [CORRELATION_ID]: correlationIdOf(request),
        [ATTR_HTTP_REQUEST_METHOD]: 'POST',
        [ATTR_SERVER_ADDRESS]: this.server.address,
        [ATTR_SERVER_PORT]: this.server.port,
        [ATTR_URL_PATH]: request.path,
      },
      () => this.inner.post(request),
      {
        settled: (response) => ({
          [ATTR_HTTP_RESPONSE_STATUS_CODE]: response.status,
          [OUTCOME]: `http_${response.status}`,
        }),
        failed: (error) => ({
          [OUTCOME]: error instanceof TransportFailure ? error.kind : 'error',
        }),
      },
    );
  }
}

function correlationIdOf(request: KonaHttpRequest): string | undefined {
  const name = Object.keys(request.headers).find((key) => key.toLowerCase() === CORRELATION_HEADER);
  return name === undefined ? undefined : request.headers[name];
}
