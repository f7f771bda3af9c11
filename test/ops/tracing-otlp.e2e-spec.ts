/**
 * Tracing as operators turn it on: `node dist/main.js` with the standard OTEL_* variables, its
 * real OTLP/HTTP exporter posting protobuf to a stand-in collector on loopback, flushed when the
 * process shuts down. And off: with no OTEL_* variable (or OTEL_SDK_DISABLED / OTEL_TRACES_EXPORTER
 * =none) no provider is registered and nothing is exported.
 */
import { trace } from '@opentelemetry/api';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config/load-config';
import { IdempotencyStore } from '../../src/idempotency/idempotency.store';
import { TracingIdempotencyStore } from '../../src/idempotency/tracing-idempotency.store';
import { KonaTransport } from '../../src/konaplate/kona-transport';
import { TracingKonaTransport } from '../../src/konaplate/tracing-kona.transport';
import { startTracing } from '../../src/observability/tracing/start-tracing';
import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import { OtlpReceiver } from '../support/otlp-receiver';
import {
  PAR,
  callGateway,
  gatewayEnv,
  newKey,
  newMember,
  startGateway,
  tokenFor,
} from '../support/gateway';
import { startGatewayProcess } from './gateway-process';

const LIMITS = { perTransaction: 100_000, daily: 500_000, monthly: 3_000_000 };
/** Where the OTLP exporter posts when only OTEL_TRACES_EXPORTER=otlp is set (the spec's default). */
const DEFAULT_OTLP_PORT = 4318;

let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
});

afterAll(async () => {
  await sandbox?.close();
});

/**
 * Runs the built gateway with `env`, makes one sampled limit update with a caller's traceparent,
 * stops it (SIGTERM: the SDK flushes on shutdown) and returns the caller's trace id and the exit.
 */
async function oneTracedRequest(env: Record<string, string>) {
  const gateway = await startGatewayProcess(gatewayEnv(sandbox.url, env));
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  try {
    const answer = await callGateway(gateway, 'PUT', `/v1/me/cards/${PAR}/limits`, {
      token: await tokenFor(newMember()),
      key: newKey(),
      body: LIMITS,
      headers: { traceparent: `00-${traceId}-${parentId}-01` },
    });
    expect(answer.status).toBe(200);
  } finally {
    const exit = await gateway.stop();
    expect({ exit: exit.code, stderr: gateway.stderr() }).toEqual({ exit: 0, stderr: '' });
  }
  return { traceId, parentId, stdout: gateway.stdout() };
}

describe('with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  let receiver: OtlpReceiver;
  let run: Awaited<ReturnType<typeof oneTracedRequest>>;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    run = await oneTracedRequest({
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=collector%20key%201',
      OTEL_SERVICE_NAME: 'kona-bff-e2e',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=e2e',
    });
  });

  afterAll(async () => {
    await receiver?.close();
  });

  it('posts protobuf to <endpoint>/v1/traces with the configured headers, by shutdown', () => {
    expect(receiver.exports.length).toBeGreaterThan(0);
    for (const received of receiver.exports) {
      expect(received.path).toBe('/v1/traces');
      expect(received.headers['content-type']).toBe('application/x-protobuf');
      expect(received.headers['x-collector-key']).toBe('collector key 1');
    }
  });

  it('exports the request’s span tree in the caller’s trace', () => {
    const spans = receiver.spans.filter((span) => span.traceId === run.traceId);
    const server = spans.find((span) => span.kind === 2);

    expect(server).toMatchObject({
      name: 'PUT /v1/me/cards/:par/limits',
      parentSpanId: run.parentId,
      attributes: expect.objectContaining({
        'http.response.status_code': 200,
        'kona_bff.upstream_outcome': 'success',
      }) as unknown,
    });
    const children = spans.filter((span) => span.parentSpanId === server?.spanId);
    expect(children.map((span) => [span.name, span.kind]).sort()).toEqual([
      ['KONA card-limit-update', 3],
      ['idempotency claim', 3],
      ['idempotency complete', 3],
    ]);
    for (const child of children) {
      expect(child.attributes['kona_bff.correlation_id']).toBe(
        server?.attributes['kona_bff.correlation_id'],
      );
    }
  });

  it('names the service and the resource attributes on every span', () => {
    for (const span of receiver.spans) {
      expect(span.resource).toMatchObject({
        'service.name': 'kona-bff-e2e',
        'deployment.environment.name': 'e2e',
      });
    }
  });

  it('says at start that tracing is on, and never logs the collector’s headers', () => {
    const start = run.stdout.split('\n').find((line) => line.includes('"context":"Main"'));

    expect(start).toContain('"tracing":true');
    expect(run.stdout).not.toMatch(/collector( |%20)key/);
  });
});

describe('with only OTEL_TRACES_EXPORTER=otlp', () => {
  let receiver: OtlpReceiver;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start(DEFAULT_OTLP_PORT).catch((error: Error) => {
      throw new Error(`this test needs 127.0.0.1:${DEFAULT_OTLP_PORT} free: ${error.message}`);
    });
  });

  afterAll(async () => {
    await receiver?.close();
  });

  it('exports to the specification’s default, localhost:4318', async () => {
    const { traceId } = await oneTracedRequest({ OTEL_TRACES_EXPORTER: 'otlp' });

    expect(receiver.spans.some((span) => span.traceId === traceId)).toBe(true);
  });

  it('exports nothing with no OTEL_* variable at all', async () => {
    const before = receiver.exports.length;

    const { stdout } = await oneTracedRequest({ LOG_LEVEL: 'info' });

    expect(receiver.exports).toHaveLength(before);
    expect(stdout).toContain('"tracing":false');
  });
});

describe.each([
  ['OTEL_SDK_DISABLED=true', { OTEL_SDK_DISABLED: 'true' }],
  ['OTEL_TRACES_EXPORTER=none', { OTEL_TRACES_EXPORTER: 'none' }],
])('with an endpoint and %s', (_, off) => {
  it('exports nothing', async () => {
    const receiver = await OtlpReceiver.start();
    try {
      await oneTracedRequest({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...off });

      expect(receiver.exports).toEqual([]);
    } finally {
      await receiver.close();
    }
  });
});

describe('the app with no OTEL_* variable', () => {
  it('registers no tracer provider and wraps neither the store nor the KONA transport', async () => {
    const env = gatewayEnv(sandbox.url);
    const config = loadConfig(env);

    expect(config.tracing).toBeNull();
    expect(startTracing(config.tracing)).toBeNull();
    const gateway = await startGateway(env);
    try {
      const answer = await callGateway(gateway, 'PUT', `/v1/me/cards/${PAR}/limits`, {
        token: await tokenFor(newMember()),
        key: newKey(),
        body: LIMITS,
      });

      expect(answer.status).toBe(200);
      expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
      expect(gateway.app.get(IdempotencyStore)).not.toBeInstanceOf(TracingIdempotencyStore);
      expect(gateway.app.get(KonaTransport)).not.toBeInstanceOf(TracingKonaTransport);
    } finally {
      await gateway.close();
    }
  });
});
