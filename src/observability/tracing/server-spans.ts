import {
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  context,
  createTraceState,
  trace,
} from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { callerTraceOf } from '../../common/http/request-id';
import { PROBLEM_CONTENT_TYPE } from '../../common/problem/problem';
import { SPAN_ATTRIBUTES, TRACER_NAME } from '../../common/tracing/span-attributes';
import { maskUrl } from '../mask';

const { correlationId: CORRELATION_ID, outcome: OUTCOME, requestId: REQUEST_ID } = SPAN_ATTRIBUTES;

/** Kubernetes probes every few seconds: traces of them would bury the requests. */
const UNTRACED = /^\/health(\/|$|\?)/;

const SERVER_SPAN = Symbol('serverSpan');
interface Served {
  span: Span;
  context: Context;
  /** The answer's problem code, read as it is sent. */
  problemCode?: string;
  ended?: boolean;
}
type TracedRequest = FastifyRequest & { [SERVER_SPAN]?: Served };

/**
 * One SERVER span per request, continuing the caller's `traceparent` (parsed once, by
 * request-id.ts), made the active span for everything that serves the request: the store and KONA
 * spans become its children. Fastify parses the body in the request's async scope (an
 * AsyncResource), so the context holds across a body that arrives later (tracing.e2e-spec.ts).
 * Install after installRequestContext.
 */
export function installServerSpans(fastify: FastifyInstance): void {
  const tracer = trace.getTracer(TRACER_NAME);
  fastify.addHook('onRequest', (request, _reply, done) => {
    if (UNTRACED.test(request.url)) return done();
    const route = request.routeOptions.url;
    const parent = callerContext(request);
    const span = tracer.startSpan(
      route === undefined ? request.method : `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: request.method,
          // Masked as in the access log: a card path carries a PAR; the query is dropped.
          [ATTR_URL_PATH]: maskUrl(request.url),
          [ATTR_URL_SCHEME]: request.protocol,
          [REQUEST_ID]: request.id,
          ...(route === undefined ? {} : { [ATTR_HTTP_ROUTE]: route }),
        },
      },
      parent,
    );
    const served: Served = { span, context: trace.setSpan(parent, span) };
    (request as TracedRequest)[SERVER_SPAN] = served;
    context.with(served.context, done);
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const served = (request as TracedRequest)[SERVER_SPAN];
    if (served !== undefined) served.problemCode = problemCodeOf(reply, payload);
    done(null, payload);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    end(request, reply);
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    end(request, undefined);
    done();
  });
}

/** The caller's span as the remote parent, or a fresh trace when it sent none (or a bad one). */
function callerContext(request: FastifyRequest): Context {
  const caller = callerTraceOf(request);
  if (caller === undefined) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: caller.traceId,
    spanId: caller.parentId,
    traceFlags: caller.traceFlags,
    isRemote: true,
    traceState: caller.traceState === undefined ? undefined : createTraceState(caller.traceState),
  });
}

/** `code` of a problem answer: the gateway's own text (problem.ts), never the caller's input. */
function problemCodeOf(reply: FastifyReply, payload: unknown): string | undefined {
  const type = reply.getHeader('content-type');
  if (typeof payload !== 'string' || typeof type !== 'string') return undefined;
  if (!type.startsWith(PROBLEM_CONTENT_TYPE)) return undefined;
  try {
    const { code } = JSON.parse(payload) as { code?: unknown };
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Status, route, correlation id and outcome: `ok`, `replayed`, the problem's code, or `aborted`
 * when the client left first. Server errors (5xx) mark the span as an error; a 4xx is the
 * caller's, not ours (OpenTelemetry's HTTP conventions).
 */
function end(request: FastifyRequest, reply: FastifyReply | undefined): void {
  const served = (request as TracedRequest)[SERVER_SPAN];
  if (served === undefined || served.ended) return;
  served.ended = true;
  const { span } = served;
  if (reply === undefined) {
    span.setAttribute(OUTCOME, 'aborted');
    span.end();
    return;
  }
  const status = reply.statusCode;
  const correlationId = reply.getHeader('x-correlation-id');
  const replayed = reply.getHeader('idempotent-replayed') === 'true';
  span.setAttributes({
    [ATTR_HTTP_RESPONSE_STATUS_CODE]: status,
    [OUTCOME]:
      served.problemCode ?? (replayed ? 'replayed' : status < 400 ? 'ok' : `http_${status}`),
    ...(typeof correlationId === 'string' ? { [CORRELATION_ID]: correlationId } : {}),
  });
  if (status >= 500) {
    span.setAttribute(ATTR_ERROR_TYPE, served.problemCode ?? String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}
