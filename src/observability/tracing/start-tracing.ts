import { context, diag, DiagLogLevel, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TracingSettings } from '../../config/app-config';
import { samplerFor } from './sampler';

/** The running SDK: the gateway flushes it on shutdown (tracing.lifecycle.ts). */
export interface Tracing {
  /** Exports every ended span now. */
  forceFlush(): Promise<void>;
  /** Exports what is left and unregisters the SDK. */
  shutdown(): Promise<void>;
}

/**
 * How long the last export may hold the shutdown: a collector that does not answer must not keep
 * the pod past its grace period (main.ts' deadline), and spans are worth less than a clean exit.
 */
const SHUTDOWN_FLUSH_MS = 2000;

/**
 * Starts OpenTelemetry's trace SDK when `settings` say so (null: nothing is registered and no
 * exporter runs): an AsyncLocalStorage context manager, so the spans of the store and of KONA find
 * the request's span, and a tracer provider whose batches go to the OTLP/HTTP (protobuf) endpoint,
 * or to `exporter` when given (tests). Spans are explicit (server-spans.ts and the port
 * decorators): no auto-instrumentation, so nothing has to load before the modules it patches.
 */
export function startTracing(
  settings: TracingSettings | null,
  exporter?: SpanExporter,
): Tracing | null {
  if (settings === null) return null;
  const logger = new Logger('Tracing');
  // Export failures reach the log (rate: one per batch, 5 s at most); the SDK is silent otherwise.
  diag.setLogger(
    {
      error: (message) => logger.error(message),
      warn: (message) => logger.warn(message),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.WARN,
  );
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      ...settings.resourceAttributes,
      [ATTR_SERVICE_NAME]: settings.serviceName,
    }),
    sampler: samplerFor(settings),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter:
          exporter ?? new OTLPTraceExporter({ url: settings.endpoint, headers: settings.headers }),
      }),
    ],
  });
  trace.setGlobalTracerProvider(provider);
  return {
    forceFlush: () => provider.forceFlush(),
    async shutdown() {
      try {
        await Promise.race([
          provider.shutdown(),
          sleep(SHUTDOWN_FLUSH_MS, undefined, { ref: false }),
        ]);
      } finally {
        trace.disable();
        context.disable();
        diag.disable();
      }
    },
  };
}
