import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain.error';
import { ErrorCode } from '../errors/error-code';
import { toProblem } from '../problem/problem';
import { sendProblem } from '../problem/send-problem';
import type { SocketWithRequestId } from './request-id';
import { REQUEST_ID_HEADER, SOCKET_REQUEST_ID, newRequestId } from './request-id';
import { SECURITY_HEADERS } from './security-headers';

const logger = new Logger('HTTP');

/**
 * Fastify answers a bad URL itself (an over-long path value, a broken %-escape) before any hook
 * or filter runs: answer it as a problem like any other, without echoing the path.
 */
export function answerBadUrl(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  // Fastify calls this before any hook, so the security headers and the id are set here too.
  void reply.headers(SECURITY_HEADERS).header(REQUEST_ID_HEADER, request.id);
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

/** Node's codes for a request whose headers or body did not arrive in time. */
const TIMEOUTS = new Set(['ERR_HTTP_REQUEST_TIMEOUT', 'HPE_HEADER_TIMEOUT']);

function codeOf(error: Error & { code?: string }): ErrorCode {
  if (error.code !== undefined && TIMEOUTS.has(error.code)) return ErrorCode.RequestTimeout;
  if (error.code === 'HPE_HEADER_OVERFLOW') return ErrorCode.HeadersTooLarge;
  return ErrorCode.BadRequest;
}

const REASONS: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.RequestTimeout]: 'Request Timeout',
  [ErrorCode.HeadersTooLarge]: 'Request Header Fields Too Large',
  [ErrorCode.BadRequest]: 'Bad Request',
};

/**
 * What Node's HTTP server refuses on the socket itself: headers too large, broken framing, and
 * headers or body not in within HTTP_HEADERS_TIMEOUT_MS / HTTP_REQUEST_TIMEOUT_MS. The problem is
 * written on the socket (with the id of the request it cut short, or a new one) and the socket
 * closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  const code = codeOf(error);
  const requestId = (socket as SocketWithRequestId)[SOCKET_REQUEST_ID] ?? newRequestId();
  const problem = toProblem(new DomainError(code), requestId);
  const body = JSON.stringify(problem);
  logger.warn(
    { reqId: requestId, status: problem.status, code, reason: error.code },
    `connection answered ${problem.status} ${code}`,
  );
  socket.end(
    `HTTP/1.1 ${problem.status} ${REASONS[code]}\r\n` +
      'Content-Type: application/problem+json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${requestId}\r\n` +
      'X-Content-Type-Options: nosniff\r\n' +
      'Connection: close\r\n\r\n' +
      body,
  );
  // end() waits for the peer to read; a client that reads nothing must not keep the socket.
  setTimeout(() => socket.destroy(), 1000).unref();
}
