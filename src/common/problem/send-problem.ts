import type { FastifyReply } from 'fastify';
import type { DomainError } from '../errors/domain.error';
import { PROBLEM_CONTENT_TYPE, problemHeaders, toProblem } from './problem';

/** Writes `error` as application/problem+json with its status and headers, and the request id. */
export function sendProblem(reply: FastifyReply, error: DomainError): void {
  const problem = toProblem(error, reply.request.id);
  void reply
    .status(problem.status)
    .headers(problemHeaders(error))
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problem));
}
