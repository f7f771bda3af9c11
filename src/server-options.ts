import { answerBadUrl, answerClientError } from './common/http/framework-errors';
import { requestIdFactory } from './common/http/request-id';
import type { HttpLimits } from './config/app-config';
import { maskText } from './observability/mask';

/** Bodies over 16 KiB are refused with 413 before they are read in full. */
export const BODY_LIMIT_BYTES = 16 * 1024;

/**
 * The Fastify options of both listeners, the API's and the management port's (management/): the
 * same request ids, problem answers for what Fastify refuses itself, and Node's limits per
 * connection.
 */
export function serverOptions(limits: HttpLimits) {
  return {
    bodyLimit: BODY_LIMIT_BYTES,
    ...connectionOptions(limits),
    // X-Request-Id: the caller's when well formed and free of anything the log would mask.
    genReqId: requestIdFactory(maskText),
    requestIdHeader: false as const,
    routerOptions: { maxParamLength: 64 },
    // Nest 12 applies this from the first shutdown hook on, which would refuse every request during
    // the drain delay: the pod must keep serving while the endpoints drop it. After close(),
    // answers already carry `Connection: close` and idle sockets are closed (below).
    return503OnClosing: false,
    // Fastify answers a bad URL itself (over-long path value, broken %-escape) unless told to
    // hand it over: the app's answer is a problem like any other, without echoing the path.
    frameworkErrors: answerBadUrl,
    clientErrorHandler: answerClientError,
    forceCloseConnections: 'idle' as const,
  };
}

/**
 * Node's own limits per connection (README "Configuration"). Headers and request timeouts count
 * from the request's first byte (a fresh connection: from its accept) and are checked every
 * `connectionsCheckingInterval`, so that is kept well under them: a late request gets its 408
 * within a fifth of its timeout.
 */
function connectionOptions(limits: HttpLimits) {
  return {
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(1000, limits.headersTimeoutMs / 5)),
    },
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
  };
}
