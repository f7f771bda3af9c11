import type { TraceSamplerName, TracingSettings } from './app-config';

/** The OTEL_* variables the gateway honours, once each has passed its own schema. */
export interface TracingEnv {
  OTEL_SDK_DISABLED: boolean;
  OTEL_TRACES_EXPORTER?: 'otlp' | 'none';
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_HEADERS?: Record<string, string>;
  OTEL_SERVICE_NAME?: string;
  OTEL_RESOURCE_ATTRIBUTES?: Record<string, string>;
  OTEL_TRACES_SAMPLER: TraceSamplerName;
  OTEL_TRACES_SAMPLER_ARG?: number;
}

/** The specification's default: an OpenTelemetry Collector on the same host (OTLP/HTTP). */
const DEFAULT_ENDPOINT = 'http://localhost:4318/v1/traces';
const SERVICE_NAME = 'kona-bff';

/**
 * Tracing is on when `OTEL_TRACES_EXPORTER=otlp` or an OTLP endpoint is set, unless
 * `OTEL_TRACES_EXPORTER=none` or `OTEL_SDK_DISABLED=true` (which wins). With nothing set it is off:
 * no provider is registered and no exporter runs.
 */
export function toTracingSettings(env: TracingEnv): TracingSettings | null {
  const endpoint = tracesEndpoint(env);
  const on =
    env.OTEL_TRACES_EXPORTER === 'otlp' ||
    (env.OTEL_TRACES_EXPORTER === undefined && endpoint !== undefined);
  if (env.OTEL_SDK_DISABLED || !on) return null;
  const resourceAttributes = env.OTEL_RESOURCE_ATTRIBUTES ?? {};
  return {
    endpoint: endpoint ?? DEFAULT_ENDPOINT,
    headers: env.OTEL_EXPORTER_OTLP_HEADERS ?? {},
    serviceName: env.OTEL_SERVICE_NAME ?? resourceAttributes['service.name'] ?? SERVICE_NAME,
    resourceAttributes,
    sampler: env.OTEL_TRACES_SAMPLER,
    samplerRatio: env.OTEL_TRACES_SAMPLER_ARG ?? 1,
  };
}

/**
 * The signal-specific endpoint is used as given; the general one is a base URL to which
 * `v1/traces` is appended (OTLP exporter specification, "Endpoint URLs for OTLP/HTTP").
 */
function tracesEndpoint(env: TracingEnv): string | undefined {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined) {
    return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  }
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (base === undefined) return undefined;
  return `${base.endsWith('/') ? base : `${base}/`}v1/traces`;
}
