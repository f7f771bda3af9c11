import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain.error';
import { ErrorCode } from '../errors/error-code';
import { toProblem } from '../problem/problem';
import { sendProblem } from '../problem/send-problem';
import { SECURITY_HEADERS } from './security-headers';

/**
 * Fastify answers a bad URL itself (an over-long path value, a broken %-escape) before any hook
 * or filter runs: answer it as a problem like any other, without echoing the path.
 */
export function answerBadUrl(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  // Fastify calls this before any hook, so the security headers are set here too.
  void reply.headers(SECURITY_HEADERS);
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  sendProblem(
    reply,
    new DomainError(ErrorCode.ValidationFailed, {
      detail: 'The request path is not valid.',
      errors: [
        {
          field: '(path)',
          message: tooLong ? 'a path value is too long' : 'the path is not a valid URL',
        },
      ],
    }),
  );
}

/**
 * Requests Node's HTTP parser refuses (headers too large, broken framing) never become a
 * request object: write the problem on the socket and close it.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const problem = toProblem(
    new DomainError(tooLarge ? ErrorCode.HeadersTooLarge : ErrorCode.BadRequest),
  );
  const body = JSON.stringify(problem);
  socket.end(
    `HTTP/1.1 ${problem.status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      'Content-Type: application/problem+json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'X-Content-Type-Options: nosniff\r\n' +
      'Connection: close\r\n\r\n' +
      body,
  );
}
