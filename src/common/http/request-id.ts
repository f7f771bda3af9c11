import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';

/** What every log line written while serving a request carries (logger.options.ts). */
export interface RequestContext {
  reqId: string;
  /** W3C trace context of the caller, when its `traceparent` is valid. */
  traceId?: string;
  parentId?: string;
  traceState?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The context of the request being served, if any. */
export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

/** 1-128 characters from A-Za-z0-9._:- (README "Operating it"). */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The caller's X-Request-Id when it is well formed and `loggable` leaves it as it is (so an id can
 * never smuggle a PAR or a token into the log), a fresh UUID otherwise.
 */
export function requestIdFactory(loggable: (text: string) => string) {
  return (raw: IncomingMessage): string => {
    const given = raw.headers[REQUEST_ID_HEADER];
    if (typeof given === 'string' && REQUEST_ID.test(given) && loggable(given) === given) {
      return given;
    }
    return randomUUID();
  };
}

/** A fresh id, for answers written before any request object exists (client errors). */
export const newRequestId = (): string => randomUUID();

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const TRACESTATE = /^[\x20-\x7e]{1,512}$/;

/** The caller's W3C Trace Context, as its `traceparent` (and `tracestate`) carried it. */
export interface CallerTrace {
  traceId: string;
  parentId: string;
  /** The trace-flags byte (bit 0: the caller sampled this trace). */
  traceFlags: number;
  traceState?: string;
}

/** W3C Trace Context: the caller's trace and parent span, or undefined when absent or invalid. */
export function parseTraceparent(
  traceparent: unknown,
  tracestate: unknown,
): CallerTrace | undefined {
  if (typeof traceparent !== 'string') return undefined;
  const match = TRACEPARENT.exec(traceparent.trim());
  if (!match) return undefined;
  const [, version, traceId, parentId, flags, rest] = match;
  // Version ff is invalid; version 00 has nothing after the flags; ids of zeros are invalid.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  const traceFlags = parseInt(flags, 16);
  const state = typeof tracestate === 'string' ? tracestate.trim() : '';
  return TRACESTATE.test(state)
    ? { traceId, parentId, traceFlags, traceState: state }
    : { traceId, parentId, traceFlags };
}

const CONTEXT = Symbol('requestContext');
const CALLER = Symbol('callerTrace');
type WithContext = FastifyRequest & { [CONTEXT]?: RequestContext; [CALLER]?: CallerTrace };

/** The request's context (its id and trace), set by the first onRequest hook. */
export function requestContextOf(request: FastifyRequest): RequestContext {
  return (request as WithContext)[CONTEXT] ?? { reqId: request.id };
}

/** The caller's trace context, for the request's server span (observability/tracing). */
export function callerTraceOf(request: FastifyRequest): CallerTrace | undefined {
  return (request as WithContext)[CALLER];
}

/** The socket's request in progress: read by the client-error handler (a body that timed out). */
export const SOCKET_REQUEST_ID = Symbol('socketRequestId');
export type SocketWithRequestId = { [SOCKET_REQUEST_ID]?: string };

/**
 * The first hook of every request: X-Request-Id on the answer (whatever answers it), and the
 * request's context made current for everything that runs for it, so every log line written
 * meanwhile carries the id. Body parsing runs in the socket's context, so the context is entered
 * again once the body is in.
 */
export function installRequestContext(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const caller = parseTraceparent(request.headers.traceparent, request.headers.tracestate);
    const context: RequestContext = { reqId: request.id };
    if (caller) {
      // The log lines name the caller's trace; the flags only matter to the server span.
      context.traceId = caller.traceId;
      context.parentId = caller.parentId;
      if (caller.traceState !== undefined) context.traceState = caller.traceState;
    }
    (request as WithContext)[CONTEXT] = context;
    (request as WithContext)[CALLER] = caller;
    if (request.raw.socket)
      (request.raw.socket as SocketWithRequestId)[SOCKET_REQUEST_ID] = request.id;
    void reply.header(REQUEST_ID_HEADER, request.id);
    storage.run(context, done);
  });
  fastify.addHook('preValidation', (request, _reply, done) => {
    storage.run(requestContextOf(request), done);
  });
  fastify.addHook('onResponse', (request, _reply, done) => {
    const socket = request.raw.socket as SocketWithRequestId | null;
    if (socket?.[SOCKET_REQUEST_ID] === request.id) delete socket[SOCKET_REQUEST_ID];
    done();
  });
}
