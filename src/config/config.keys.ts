/**
 * Every environment variable the gateway reads, in one list. The config loader, the README table,
 * docker-compose and the Helm chart are all checked against it by tests.
 */
export const CONFIG_KEYS = [
  'NODE_ENV',
  'PORT',
  'HOST',
  'MANAGEMENT_PORT',
  'MANAGEMENT_HOST',
  'DOCS_ENABLED',
  'LOG_LEVEL',
  'OTEL_SDK_DISABLED',
  'OTEL_TRACES_EXPORTER',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_SERVICE_NAME',
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'KONAPLATE_BASE_URL',
  'KONAPLATE_ASP_ID',
  'KONAPLATE_ACCESS_KEY',
  'KONAPLATE_SECRET_KEY',
  'KONAPLATE_CRYPTO_KEY_ID',
  'KONAPLATE_TIME_ZONE',
  'KONAPLATE_TIMEOUT_MS',
  'KONAPLATE_ALLOW_PLAINTEXT',
  'KONAPLATE_CLIENT_PRIVATE_KEY',
  'KONAPLATE_SERVER_PUBLIC_KEY',
  'KONAPLATE_JWE_ALG',
  'KONAPLATE_JWE_ENC',
  'AUTH_JWT_SECRET',
  'AUTH_JWKS_URL',
  'AUTH_JWT_ISSUER',
  'AUTH_JWT_AUDIENCE',
  'AUTH_USER_ID_CLAIM',
  'REDIS_URL',
  'REDIS_SENTINELS',
  'REDIS_SENTINEL_NAME',
  'REDIS_CLUSTER_NODES',
  'REDIS_PASSWORD',
  'REDIS_MIN_REPLICAS',
  'REDIS_REPLICA_WAIT_MS',
  'IDEMPOTENCY_TTL_SECONDS',
  'IDEMPOTENCY_LEASE_MS',
  'IDEMPOTENCY_COMPLETION_RETRY_MS',
  'IDEMPOTENCY_REQUIRE_DURABLE_REDIS',
  'RATE_LIMIT_PER_MINUTE',
  'UPSTREAM_BREAKER_THRESHOLD',
  'UPSTREAM_BREAKER_COOLDOWN_MS',
  'SHUTDOWN_DELAY_MS',
  'CORS_ORIGINS',
  'HTTP_HEADERS_TIMEOUT_MS',
  'HTTP_REQUEST_TIMEOUT_MS',
  'HTTP_IDLE_TIMEOUT_MS',
  'HTTP_KEEP_ALIVE_TIMEOUT_MS',
  'HTTP_MAX_CONNECTIONS',
] as const;

export type ConfigKey = (typeof CONFIG_KEYS)[number];

/** Secrets: never logged, never in a ConfigMap; each may also be read from the file named by `<KEY>_FILE`. */
export const SECRET_KEYS = [
  'KONAPLATE_ACCESS_KEY',
  'KONAPLATE_SECRET_KEY',
  'KONAPLATE_CLIENT_PRIVATE_KEY',
  'AUTH_JWT_SECRET',
  'REDIS_PASSWORD',
  // A collector's credentials (`Authorization=Bearer …`, an API key) travel in these headers.
  'OTEL_EXPORTER_OTLP_HEADERS',
] as const satisfies readonly ConfigKey[];

/**
 * Variables that may be read from the file named by `<KEY>_FILE`: every secret, plus KONA's public
 * key (not a secret, but PEM text is easier to mount as a file than to pass in one variable).
 */
export const FILE_KEYS = [
  ...SECRET_KEYS,
  'KONAPLATE_SERVER_PUBLIC_KEY',
] as const satisfies readonly ConfigKey[];

/** Variables without which the gateway refuses to start (AUTH needs one of AUTH_JWT_SECRET / AUTH_JWKS_URL). */
export const REQUIRED_KEYS = [
  'KONAPLATE_BASE_URL',
  'KONAPLATE_ASP_ID',
  'KONAPLATE_ACCESS_KEY',
  'KONAPLATE_SECRET_KEY',
] as const satisfies readonly ConfigKey[];
