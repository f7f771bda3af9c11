import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RouteTable } from './route-table';

/** Every request header the gateway reads from a browser (W3C trace context included). */
export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'X-Request-Id',
  'traceparent',
  'tracestate',
] as const;

/** Every answer header a script may need (by default a page reads only the CORS-safelisted ones). */
export const CORS_EXPOSED_HEADERS = [
  'X-Request-Id',
  'X-Correlation-Id',
  'Idempotent-Replayed',
  'Retry-After',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'WWW-Authenticate',
  'Allow',
] as const;

/** How long a browser may reuse a preflight (Chromium caps it at 2 h). */
export const CORS_MAX_AGE_SECONDS = 600;

/**
 * CORS for `origins` (exact `scheme://host[:port]` matches); nothing is installed without any.
 * An allowed origin gets `Access-Control-Allow-Origin` and the exposed headers on every answer;
 * its preflight on a served path is answered 204 with that path's methods (from the route table),
 * the headers above and a max age. No credentials: the API uses bearer tokens, not cookies.
 * A preflight from any other origin, or on an unknown path, gets no CORS header (405 / 404).
 */
export function installCors(
  fastify: FastifyInstance,
  origins: readonly string[],
  routes: RouteTable,
): void {
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  const allowHeaders = CORS_ALLOWED_HEADERS.join(', ');
  const exposeHeaders = CORS_EXPOSED_HEADERS.join(', ');
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('vary', 'Origin');
    const origin = request.headers.origin;
    if (origin === undefined || !allowed.has(origin)) return done();
    allowOrigin(reply, origin, exposeHeaders);
    const preflight =
      request.method === 'OPTIONS' &&
      request.headers['access-control-request-method'] !== undefined;
    if (!preflight) return done();
    const methods = routes.methodsAt(request.url);
    if (methods.length === 0) return done();
    void reply
      .header('access-control-allow-methods', methods.join(', '))
      .header('access-control-allow-headers', allowHeaders)
      .header('access-control-max-age', String(CORS_MAX_AGE_SECONDS))
      .header('vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers')
      .code(204)
      .send();
  });
}

function allowOrigin(reply: FastifyReply, origin: string, exposeHeaders: string): void {
  void reply
    .header('access-control-allow-origin', origin)
    .header('access-control-expose-headers', exposeHeaders);
}
