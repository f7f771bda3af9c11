import type { FastifyInstance } from 'fastify';
import { DomainError } from '../errors/domain.error';
import { ErrorCode } from '../errors/error-code';
import { sendProblem } from '../problem/send-problem';
import type { RouteTable } from './route-table';

/**
 * A request no route matched, on a path that some route serves with another method: 405 with
 * `Allow` (RFC 9110 §15.5.6), answered before any body is read. Other unmatched requests go on
 * to the 404.
 */
export function installMethodNotAllowed(fastify: FastifyInstance, routes: RouteTable): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.routeOptions.url !== undefined) return done();
    const allowed = routes.methodsAt(request.url);
    if (allowed.length === 0) return done();
    const allow = allowed.join(', ');
    sendProblem(
      reply,
      new DomainError(ErrorCode.MethodNotAllowed, {
        detail: `This path allows ${allow}.`,
        headers: { allow },
      }),
    );
  });
}
