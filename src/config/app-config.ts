/** KONA's `X-KM-Time-Zone` values the gateway can format times in (KST = Asia/Seoul, UTC+9, no DST). */
export type KonaTimeZone = 'KST' | 'UTC';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface HostPort {
  host: string;
  port: number;
}

/** Where idempotency records and rate-limit counters live. */
export type RedisSettings =
  | { kind: 'single'; url: string; password?: string }
  | { kind: 'sentinel'; sentinels: HostPort[]; name: string; password?: string }
  | { kind: 'cluster'; nodes: HostPort[]; password?: string }
  | { kind: 'memory' };

/** KONA message encryption (JWE): our RSA key pair's private half and KONA's public key. */
export interface KonaEncryptionSettings {
  /** PEM of the partner's RSA private key (secret). */
  clientPrivateKeyPem: string;
  /** PEM of KONA's RSA public key (or certificate). */
  serverPublicKeyPem: string;
  alg: 'RSA-OAEP-256' | 'RSA-OAEP';
  enc: 'A128GCM' | 'A256GCM';
}

export interface KonaplateSettings {
  baseUrl: string;
  aspId: string;
  accessKey: string;
  secretKey: string;
  cryptoKeyId?: string;
  timeZone: KonaTimeZone;
  timeoutMs: number;
  /**
   * KONAPLATE_ALLOW_PLAINTEXT: a plain http: base URL is accepted in production because a sidecar or
   * egress proxy adds TLS (the start log should warn). loadConfig always sets it.
   */
  allowPlaintext: boolean;
  /** Message encryption, or null when neither key is configured. loadConfig always sets it. */
  encryption: KonaEncryptionSettings | null;
}

export interface AuthSettings {
  jwtSecret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  userIdClaim: string;
}

/**
 * What one HTTP connection may cost the instance (Node's http.Server settings). Every time is in
 * milliseconds; headers and request are counted from the request's first byte.
 */
export interface HttpLimits {
  /** HTTP_HEADERS_TIMEOUT_MS: the headers in full (a fresh connection's first request included). */
  headersTimeoutMs: number;
  /** HTTP_REQUEST_TIMEOUT_MS: headers and body in full, else 408 and the socket is closed. */
  requestTimeoutMs: number;
  /** HTTP_IDLE_TIMEOUT_MS: no byte either way during a request (a client not reading its answer). */
  idleTimeoutMs: number;
  /** HTTP_KEEP_ALIVE_TIMEOUT_MS: how long a kept-alive socket may wait for its next request. */
  keepAliveTimeoutMs: number;
  /** HTTP_MAX_CONNECTIONS: open sockets per instance; further connections are closed at once. */
  maxConnections: number;
}

/** Idempotency records (README "Idempotency"). */
export interface IdempotencySettings {
  /** IDEMPOTENCY_TTL_SECONDS: how long a final answer is replayed. */
  ttlSeconds: number;
  /** IDEMPOTENCY_LEASE_MS: how long a claim holds a key before another request may take it over. */
  leaseMs: number;
  /** IDEMPOTENCY_COMPLETION_RETRY_MS: how long storing a final answer is retried (lease renewed). */
  completionRetryMs: number;
  /** REDIS_MIN_REPLICAS: replicas that must acknowledge a claim (WAIT) before KONA is called. */
  minReplicas: number;
  /** REDIS_REPLICA_WAIT_MS: how long WAIT may take; short of replicas → 503, KONA not called. */
  replicaWaitMs: number;
  /** IDEMPOTENCY_REQUIRE_DURABLE_REDIS: in production, refuse to start on a Redis that can forget. */
  requireDurableRedis: boolean;
}

/**
 * The management listener: metrics, API docs and detailed health, on a port of its own so that
 * none of it is reachable wherever the API is exposed.
 */
export interface ManagementSettings {
  /** MANAGEMENT_HOST, HOST when unset. */
  host: string;
  /** MANAGEMENT_PORT. */
  port: number;
  /** DOCS_ENABLED: Swagger UI and the document at /docs*, by default everywhere but production. */
  docsEnabled: boolean;
}

/** OTEL_TRACES_SAMPLER's values (OpenTelemetry's SDK environment variables specification). */
export const TRACE_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

export type TraceSamplerName = (typeof TRACE_SAMPLERS)[number];

/** OpenTelemetry tracing over OTLP/HTTP (protobuf), from the standard `OTEL_*` variables. */
export interface TracingSettings {
  /** The full URL spans are POSTed to (`…/v1/traces`). */
  endpoint: string;
  /** OTEL_EXPORTER_OTLP_HEADERS: sent with every export (a secret: collector credentials). */
  headers: Record<string, string>;
  /** `service.name`: OTEL_SERVICE_NAME, else OTEL_RESOURCE_ATTRIBUTES' one, else `kona-bff`. */
  serviceName: string;
  /** OTEL_RESOURCE_ATTRIBUTES, on every span's resource. */
  resourceAttributes: Record<string, string>;
  sampler: TraceSamplerName;
  /** OTEL_TRACES_SAMPLER_ARG: the ratio of the `*traceidratio` samplers (default 1). */
  samplerRatio: number;
}

/** The gateway's whole configuration, validated once at start (see load-config.ts). */
export interface AppConfig {
  production: boolean;
  http: {
    host: string;
    port: number;
    corsOrigins: string[];
    limits: HttpLimits;
  };
  management: ManagementSettings;
  /** Null when tracing is off: no OTEL_* variable turns it on, or OTEL_SDK_DISABLED=true. */
  tracing: TracingSettings | null;
  logLevel: LogLevel;
  konaplate: KonaplateSettings;
  auth: AuthSettings;
  redis: RedisSettings;
  idempotency: IdempotencySettings;
  rateLimitPerMinute: number;
  breaker: { threshold: number; cooldownMs: number };
  shutdownDelayMs: number;
}

/** Injection token for {@link AppConfig}. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/** The defaults of {@link HttpLimits} (README "Configuration"), for KONA's default timeout. */
export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
  // Longer than a load balancer's idle timeout (AWS ALB 60 s, nginx 60 s): the balancer, not
  // the gateway, closes an idle kept-alive connection, so it never sends a request on a socket
  // the gateway is closing.
  keepAliveTimeoutMs: 75_000,
  maxConnections: 10_000,
});
