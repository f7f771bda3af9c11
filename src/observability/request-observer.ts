import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import type { AuthenticatedRequest } from '../auth/authenticated-request';
import { requestContextOf } from '../common/http/request-id';
import { maskUrl } from './mask';
import type { MetricsService } from './metrics.service';

/** Kubernetes probes; a scrape of the old /metrics on this port is logged (its 404 is news). */
const QUIET = /^\/health(\/|$|\?)/;

/**
 * After each answer: one access-log line (request id, trace id, method, route, status, duration,
 * correlation id, member id) and the HTTP duration histogram. Headers are never logged, so no
 * token or key can be; the URL is masked (mask.ts). Probes are measured but not logged; the
 * management port (metrics, docs) has neither.
 */
export function observeRequests(fastify: FastifyInstance, metrics: MetricsService): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? '(unmatched)';
    const status = reply.statusCode;
    const durationMs = reply.elapsedTime;
    metrics.httpRequest(route, request.method, status, durationMs / 1000);
    if (!QUIET.test(request.url))
      logLine(request, route, status, durationMs, reply.getHeader('x-correlation-id'));
    done();
  });
}

function logLine(
  request: FastifyRequest,
  route: string,
  status: number,
  durationMs: number,
  correlationId: unknown,
): void {
  const url = maskUrl(request.url);
  // Flat fields: pino's std `req`/`res` serializers expect live Node objects, not summaries.
  // onResponse runs outside the request's async context: its fields are given here.
  const line = {
    ...requestContextOf(request),
    method: request.method,
    url,
    route,
    status,
    responseTime: Math.round(durationMs),
    memberId: (request as Partial<AuthenticatedRequest>).memberId,
    correlationId,
  };
  const message = `${request.method} ${url} ${status}`;
  if (status >= 500) PinoLogger.root.error(line, message);
  else if (status >= 400) PinoLogger.root.warn(line, message);
  else PinoLogger.root.info(line, message);
}
