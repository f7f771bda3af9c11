/**
 * Tracing of the real app, through the real sandbox and the run's real Redis, with the tracing
 * settings of the real configuration and the SDK's in-memory exporter in place of OTLP (the OTLP
 * path itself: tracing-otlp.e2e-spec.ts): one SERVER span per request continuing the caller's
 * traceparent, children for each store script and for the KONA exchange, and no secret anywhere.
 */
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config/load-config';
import type { Tracing } from '../../src/observability/tracing/start-tracing';
import { startTracing } from '../../src/observability/tracing/start-tracing';
import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import { SANDBOX_DEMO } from '../sandbox/demo-credentials';
import { openRaw } from '../edge/raw-socket';
import type { RunningGateway } from '../support/gateway';
import {
  PAR,
  TEST_JWT_SECRET,
  callGateway,
  gatewayEnv,
  newKey,
  newMember,
  startGateway,
  tokenFor,
} from '../support/gateway';

const LIMITS = { perTransaction: 123_457, daily: 4_321_987, monthly: 9_876_543 };
const LIMITS_PATH = `/v1/me/cards/${PAR}/limits`;
const WALLET_USER_NOT_FOUND_MEMBER = '1001006';

/** A caller's W3C trace context, sampled (flags 01). */
function callerTrace() {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  return { traceId, parentId, traceparent: `00-${traceId}-${parentId}-01` };
}

describe('tracing a request through the real app', () => {
  let sandbox: RunningSandbox;
  let gateway: RunningGateway;
  let tracing: Tracing;
  const exporter = new InMemorySpanExporter();

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
    // An endpoint turns tracing on; the spans go to the in-memory exporter instead.
    const env = gatewayEnv(sandbox.url, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    tracing = startTracing(loadConfig(env).tracing, exporter)!;
    gateway = await startGateway(env, { tracing });
  });

  afterAll(async () => {
    await gateway?.close();
    await sandbox?.close();
  });

  /** Every span of `traceId`, once the batch processor has handed them over. */
  async function spansOf(traceId: string): Promise<ReadableSpan[]> {
    await tracing.forceFlush();
    return exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
  }

  async function updateLimits(member: string, key: string, traceparent?: string) {
    const token = await tokenFor(member);
    const answer = await callGateway(gateway, 'PUT', LIMITS_PATH, {
      token,
      key,
      body: LIMITS,
      headers: traceparent === undefined ? {} : { traceparent },
    });
    return { answer, token };
  }

  describe('a fresh limit update with a caller’s traceparent', () => {
    const caller = callerTrace();
    const key = newKey();
    let spans: ReadableSpan[];
    let server: ReadableSpan;
    let answer: Awaited<ReturnType<typeof updateLimits>>['answer'];
    let token: string;
    const member = newMember();

    beforeAll(async () => {
      ({ answer, token } = await updateLimits(member, key, caller.traceparent));
      expect(answer.status).toBe(200);
      spans = await spansOf(caller.traceId);
      server = spans.find((span) => span.kind === SpanKind.SERVER)!;
    });

    it('makes exactly one SERVER span, a child of the caller’s span in the caller’s trace', () => {
      const servers = spans.filter((span) => span.kind === SpanKind.SERVER);

      expect(servers).toHaveLength(1);
      expect(server.name).toBe('PUT /v1/me/cards/:par/limits');
      expect(server.parentSpanContext?.spanId).toBe(caller.parentId);
      expect(server.parentSpanContext?.isRemote).toBe(true);
    });

    it('makes the claim, the KONA exchange and the completion its children, in that order', () => {
      const children = spans
        .filter((span) => span.parentSpanContext?.spanId === server.spanContext().spanId)
        .sort((a, b) => hrMs(a.startTime) - hrMs(b.startTime));

      expect(children.map((span) => [span.name, span.kind])).toEqual([
        ['idempotency claim', SpanKind.CLIENT],
        ['KONA card-limit-update', SpanKind.CLIENT],
        ['idempotency complete', SpanKind.CLIENT],
      ]);
      expect(spans).toHaveLength(4);
    });

    it('puts route, status, correlation id, operation and outcomes on the server span', () => {
      const correlationId = answer.headers.get('x-correlation-id');

      expect(correlationId).toMatch(/^\d{12}-[0-9a-z]{7}$/);
      expect(server.attributes).toMatchObject({
        'http.request.method': 'PUT',
        'http.route': '/v1/me/cards/:par/limits',
        'http.response.status_code': 200,
        'url.path': '/v1/me/cards/V001…345A/limits',
        'kona_bff.request_id': answer.headers.get('x-request-id'),
        'kona_bff.correlation_id': correlationId,
        'kona_bff.operation': 'card-limit-update',
        'kona_bff.upstream_outcome': 'success',
        'kona_bff.outcome': 'ok',
      });
    });

    it('puts operation, correlation id and outcome on the KONA and store spans', () => {
      const correlationId = answer.headers.get('x-correlation-id');
      const named = (name: string) => spans.find((span) => span.name === name)?.attributes;

      expect(named('KONA card-limit-update')).toMatchObject({
        'kona_bff.operation': 'card-limit-update',
        'kona_bff.correlation_id': correlationId,
        'http.request.method': 'POST',
        'url.path': '/api/v1/card/payment/limit/update',
        'http.response.status_code': 200,
        'kona_bff.outcome': 'http_200',
      });
      expect(named('idempotency claim')).toMatchObject({
        'db.system.name': 'redis',
        'db.stored_procedure.name': 'claim',
        'kona_bff.correlation_id': correlationId,
        'kona_bff.outcome': 'claimed',
      });
      expect(named('idempotency complete')).toMatchObject({
        'db.stored_procedure.name': 'complete',
        'kona_bff.correlation_id': correlationId,
        'kona_bff.outcome': 'stored',
      });
    });

    it('puts no secret, token, key, body or full PAR in any span', () => {
      const text = JSON.stringify(
        spans.map((span) => ({
          name: span.name,
          attributes: span.attributes,
          events: span.events,
        })),
      );
      const secrets = {
        'the access key': SANDBOX_DEMO.accessKey,
        'the secret key': SANDBOX_DEMO.secretKey,
        'the JWT secret': TEST_JWT_SECRET,
        'the bearer token': token,
        'a tran token': 'KMV1:',
        'the word Bearer': 'Bearer',
        'the full PAR': PAR,
        'the idempotency key': key,
        'the member id': member,
        'the body': String(LIMITS.daily),
      };

      for (const [what, secret] of Object.entries(secrets)) {
        expect({ what, found: text.includes(secret) }).toEqual({ what, found: false });
      }
    });
  });

  it('traces a replay as a server span and its claim, with no KONA exchange', async () => {
    const member = newMember();
    const key = newKey();
    expect((await updateLimits(member, key)).answer.status).toBe(200);
    const caller = callerTrace();

    const { answer } = await updateLimits(member, key, caller.traceparent);
    const spans = await spansOf(caller.traceId);

    expect(answer.headers.get('idempotent-replayed')).toBe('true');
    expect(spans.map((span) => span.name).sort()).toEqual([
      'PUT /v1/me/cards/:par/limits',
      'idempotency claim',
    ]);
    const claim = spans.find((span) => span.name === 'idempotency claim')!;
    const server = spans.find((span) => span.kind === SpanKind.SERVER)!;
    expect(claim.attributes['kona_bff.outcome']).toBe('replay');
    expect(server.attributes['kona_bff.outcome']).toBe('replayed');
  });

  it('names KONA’s business refusal on the server span and the HTTP status on the exchange', async () => {
    const caller = callerTrace();

    const { answer } = await updateLimits(
      WALLET_USER_NOT_FOUND_MEMBER,
      newKey(),
      caller.traceparent,
    );
    const spans = await spansOf(caller.traceId);

    expect(answer.status).toBe(404);
    const server = spans.find((span) => span.kind === SpanKind.SERVER)!;
    const kona = spans.find((span) => span.name === 'KONA card-limit-update')!;
    expect(server.attributes).toMatchObject({
      'http.response.status_code': 404,
      'kona_bff.outcome': 'WALLET_USER_NOT_FOUND',
      'kona_bff.upstream_outcome': '001_006',
    });
    expect(kona.attributes).toMatchObject({
      'http.response.status_code': 400,
      'kona_bff.outcome': 'http_400',
    });
    expect(kona.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
  });

  it('keeps the KONA and store spans in the request’s trace when the body arrives later', async () => {
    const caller = callerTrace();
    const body = JSON.stringify(LIMITS);
    const head =
      `PUT ${LIMITS_PATH} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n` +
      `Authorization: Bearer ${await tokenFor(newMember())}\r\nIdempotency-Key: ${newKey()}\r\n` +
      `traceparent: ${caller.traceparent}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${body.length}\r\n\r\n`;
    const raw = openRaw(Number(new URL(gateway.url).port), head);
    await raw.connected;

    // The body comes in on a later turn of the socket, outside the context of the headers.
    await new Promise((resolve) => setTimeout(resolve, 100));
    raw.socket.write(body);
    const outcome = await raw.closed;
    const spans = await spansOf(caller.traceId);

    expect(outcome.status).toBe(200);
    expect(spans.map((span) => span.name).sort()).toEqual([
      'KONA card-limit-update',
      'PUT /v1/me/cards/:par/limits',
      'idempotency claim',
      'idempotency complete',
    ]);
  });

  it('starts a trace of its own for a request without traceparent', async () => {
    const before = new Set(exporter.getFinishedSpans().map((span) => span.spanContext().spanId));

    const { answer } = await updateLimits(newMember(), newKey());
    await tracing.forceFlush();

    const server = exporter
      .getFinishedSpans()
      .filter((span) => !before.has(span.spanContext().spanId))
      .find((span) => span.kind === SpanKind.SERVER)!;
    expect(answer.status).toBe(200);
    expect(server.parentSpanContext).toBeUndefined();
    expect(server.attributes['kona_bff.request_id']).toBe(answer.headers.get('x-request-id'));
  });

  it('does not trace the probes', async () => {
    const before = exporter.getFinishedSpans().length;

    expect((await callGateway(gateway, 'GET', '/health/ready')).status).toBe(200);
    await tracing.forceFlush();

    expect(exporter.getFinishedSpans()).toHaveLength(before);
  });
});

function hrMs([seconds, nanos]: [number, number]): number {
  return seconds * 1000 + nanos / 1e6;
}
