import type { KeyObject } from 'node:crypto';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { z } from 'zod';
import type {
  AppConfig,
  HostPort,
  HttpLimits,
  IdempotencySettings,
  KonaEncryptionSettings,
  RedisSettings,
} from './app-config';
import { DEFAULT_HTTP_LIMITS, TRACE_SAMPLERS } from './app-config';
import { ConfigError } from './config.error';
import type { ConfigKey } from './config.keys';
import { readEnv } from './env-reader';
import { toTracingSettings } from './tracing-settings';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const TIME_ZONES = ['KST', 'UTC'] as const;
const JWE_ALGS = ['RSA-OAEP-256', 'RSA-OAEP'] as const;
const JWE_ENCS = ['A128GCM', 'A256GCM'] as const;
const MIN_RSA_BITS = 2048;

// Field schemas. Every message names its variable; none echoes a URL (it may carry a password)
// or key material.

/** An issue's input as text (the field schemas only ever see strings). */
const text = (input: unknown): string => (typeof input === 'string' ? input : '');

const required = (key: ConfigKey) => z.string({ error: () => `${key} is required` });

function exactly(key: ConfigKey, length: number) {
  return z.string({ error: () => `${key} is required` }).length(length, {
    error: (issue) =>
      `${key} must be exactly ${length} characters (got ${text(issue.input).length})`,
  });
}

const atLeast = (key: ConfigKey, length: number) =>
  z.string().min(length, { error: () => `${key} must be at least ${length} characters` });

function integer(key: ConfigKey, min: number, max: number) {
  return z
    .string()
    .refine((value) => /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max, {
      error: (issue) =>
        `${key} must be an integer from ${min} to ${max} (got "${text(issue.input)}")`,
    })
    .transform(Number);
}

function oneOf<const T extends readonly [string, ...string[]]>(key: ConfigKey, values: T) {
  return z.enum(values, {
    error: (issue) => `${key} must be one of ${values.join(', ')} (got "${text(issue.input)}")`,
  });
}

const boolean = (key: ConfigKey) =>
  z
    .enum(['true', 'false'], {
      error: (issue) => `${key} must be true or false (got "${text(issue.input)}")`,
    })
    .transform((value) => value === 'true');

/** An absolute URL whose scheme (`https:`, with the colon) is one of `schemes`. */
function url(key: ConfigKey, schemes: readonly string[]) {
  const allowed = schemes.join(' or ');
  const pattern = new RegExp(`^(${schemes.map((s) => s.slice(0, -1)).join('|')})$`);
  return z.url({
    protocol: pattern,
    error: (issue) => {
      if (issue.input === undefined) return `${key} is required`;
      const scheme = schemeOf(text(issue.input));
      return scheme === undefined
        ? `${key} must be an absolute ${allowed} URL`
        : `${key} must use the scheme ${allowed} (got ${scheme})`;
    },
  });
}

function schemeOf(value: string): string | undefined {
  try {
    return new URL(value.trim()).protocol;
  } catch {
    return undefined;
  }
}

/**
 * `key=value,key=value` with percent-encoded values, as OTEL_RESOURCE_ATTRIBUTES and
 * OTEL_EXPORTER_OTLP_HEADERS are written (W3C Baggage's list format). The message never echoes the
 * value: the headers carry credentials.
 */
function keyValues(key: ConfigKey) {
  return z.string().transform((value, ctx): Record<string, string> => {
    const pairs: Record<string, string> = {};
    for (const entry of value.split(',').filter((item) => item.trim() !== '')) {
      const equals = entry.indexOf('=');
      const name = entry.slice(0, equals).trim();
      try {
        if (equals < 1 || name === '') throw new URIError();
        pairs[name] = decodeURIComponent(entry.slice(equals + 1).trim());
      } catch {
        ctx.addIssue(`${key} must be a comma-separated list of key=value (values percent-encoded)`);
        return z.NEVER;
      }
    }
    return pairs;
  });
}

/** A decimal from 0 to 1 (a sampling ratio). */
function ratio(key: ConfigKey) {
  return z
    .string()
    .refine((value) => /^(0|1|0?\.\d+|1\.0+)$/.test(value), {
      error: (issue) => `${key} must be a number from 0 to 1 (got "${text(issue.input)}")`,
    })
    .transform(Number);
}

/** The one OTLP transport the gateway's exporter speaks. */
function otlpProtocol(key: ConfigKey) {
  return z.literal('http/protobuf', {
    error: (issue) =>
      `${key} must be http/protobuf, the only OTLP protocol the gateway exports with ` +
      `(got "${text(issue.input)}")`,
  });
}

function hostPorts(key: ConfigKey) {
  return z.string().transform((value, ctx): HostPort[] => {
    const entries = value.split(',').map((entry) => /^([^\s:]+):(\d{1,5})$/.exec(entry.trim()));
    const valid = entries.filter(
      (m): m is RegExpExecArray => m !== null && Number(m[2]) >= 1 && Number(m[2]) <= 65535,
    );
    if (valid.length !== entries.length) {
      ctx.addIssue(`${key} must be a comma-separated list of host:port (got "${value}")`);
      return z.NEVER;
    }
    return valid.map((m) => ({ host: m[1], port: Number(m[2]) }));
  });
}

/**
 * An RSA key of at least 2048 bits in PEM. A one-line value may carry its line breaks as `\n`
 * (env files cannot hold several lines).
 */
function rsaPem(key: ConfigKey, kind: 'private' | 'public') {
  return z.string().transform((text, ctx): string => {
    const pem = text.includes('\n') ? text : text.replace(/\\n/g, '\n');
    if (kind === 'public' && /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
      // createPublicKey would derive the public half, leaving a private key in a plain setting.
      ctx.addIssue(`${key} must be a public key or certificate, not a private key`);
      return z.NEVER;
    }
    let keyObject: KeyObject;
    try {
      keyObject = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
    } catch {
      ctx.addIssue(
        kind === 'private'
          ? `${key} must be an unencrypted PEM private key (PKCS#8 or PKCS#1)`
          : `${key} must be a PEM public key (SPKI or PKCS#1) or X.509 certificate`,
      );
      return z.NEVER;
    }
    const type = keyObject.asymmetricKeyType;
    const bits = keyObject.asymmetricKeyDetails?.modulusLength ?? 0;
    if (type !== 'rsa') {
      ctx.addIssue(`${key} must be an RSA key (got ${type ?? 'an unknown type'})`);
    } else if (bits < MIN_RSA_BITS) {
      ctx.addIssue(`${key} must be an RSA key of at least ${MIN_RSA_BITS} bits (got ${bits})`);
    }
    return pem;
  });
}

/** One field per variable, every one of CONFIG_KEYS, in its order (so are the problems). */
const shape = {
  NODE_ENV: z.string().optional(),
  PORT: integer('PORT', 0, 65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  MANAGEMENT_PORT: integer('MANAGEMENT_PORT', 0, 65535).default(9464),
  MANAGEMENT_HOST: z.string().optional(),
  DOCS_ENABLED: boolean('DOCS_ENABLED').optional(),
  LOG_LEVEL: oneOf('LOG_LEVEL', LOG_LEVELS).default('info'),
  OTEL_SDK_DISABLED: boolean('OTEL_SDK_DISABLED').default(false),
  OTEL_TRACES_EXPORTER: oneOf('OTEL_TRACES_EXPORTER', ['otlp', 'none']).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: url('OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']).optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', [
    'http:',
    'https:',
  ]).optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocol('OTEL_EXPORTER_OTLP_PROTOCOL').optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: otlpProtocol('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL').optional(),
  OTEL_EXPORTER_OTLP_HEADERS: keyValues('OTEL_EXPORTER_OTLP_HEADERS').optional(),
  OTEL_SERVICE_NAME: z.string().optional(),
  OTEL_RESOURCE_ATTRIBUTES: keyValues('OTEL_RESOURCE_ATTRIBUTES').optional(),
  OTEL_TRACES_SAMPLER: oneOf('OTEL_TRACES_SAMPLER', TRACE_SAMPLERS).default(
    'parentbased_always_on',
  ),
  OTEL_TRACES_SAMPLER_ARG: ratio('OTEL_TRACES_SAMPLER_ARG').optional(),
  KONAPLATE_BASE_URL: url('KONAPLATE_BASE_URL', ['http:', 'https:']),
  KONAPLATE_ASP_ID: exactly('KONAPLATE_ASP_ID', 15),
  KONAPLATE_ACCESS_KEY: exactly('KONAPLATE_ACCESS_KEY', 40),
  KONAPLATE_SECRET_KEY: required('KONAPLATE_SECRET_KEY').pipe(atLeast('KONAPLATE_SECRET_KEY', 16)),
  KONAPLATE_CRYPTO_KEY_ID: exactly('KONAPLATE_CRYPTO_KEY_ID', 32).optional(),
  KONAPLATE_TIME_ZONE: oneOf('KONAPLATE_TIME_ZONE', TIME_ZONES).default('KST'),
  KONAPLATE_TIMEOUT_MS: integer('KONAPLATE_TIMEOUT_MS', 100, 120_000).default(5000),
  KONAPLATE_ALLOW_PLAINTEXT: boolean('KONAPLATE_ALLOW_PLAINTEXT').default(false),
  KONAPLATE_CLIENT_PRIVATE_KEY: rsaPem('KONAPLATE_CLIENT_PRIVATE_KEY', 'private').optional(),
  KONAPLATE_SERVER_PUBLIC_KEY: rsaPem('KONAPLATE_SERVER_PUBLIC_KEY', 'public').optional(),
  KONAPLATE_JWE_ALG: oneOf('KONAPLATE_JWE_ALG', JWE_ALGS).default('RSA-OAEP-256'),
  KONAPLATE_JWE_ENC: oneOf('KONAPLATE_JWE_ENC', JWE_ENCS).default('A128GCM'),
  AUTH_JWT_SECRET: atLeast('AUTH_JWT_SECRET', 32).optional(),
  AUTH_JWKS_URL: url('AUTH_JWKS_URL', ['http:', 'https:']).optional(),
  AUTH_JWT_ISSUER: z.string().optional(),
  AUTH_JWT_AUDIENCE: z.string().optional(),
  AUTH_USER_ID_CLAIM: z.string().default('sub'),
  REDIS_URL: url('REDIS_URL', ['redis:', 'rediss:']).optional(),
  REDIS_SENTINELS: hostPorts('REDIS_SENTINELS').optional(),
  REDIS_SENTINEL_NAME: z.string().optional(),
  REDIS_CLUSTER_NODES: hostPorts('REDIS_CLUSTER_NODES').optional(),
  REDIS_PASSWORD: z.string().optional(),
  REDIS_MIN_REPLICAS: integer('REDIS_MIN_REPLICAS', 0, 16).default(0),
  REDIS_REPLICA_WAIT_MS: integer('REDIS_REPLICA_WAIT_MS', 10, 1000).default(250),
  IDEMPOTENCY_TTL_SECONDS: integer('IDEMPOTENCY_TTL_SECONDS', 60, 30 * 86_400).default(86_400),
  IDEMPOTENCY_LEASE_MS: integer('IDEMPOTENCY_LEASE_MS', 100, 3_600_000).optional(),
  IDEMPOTENCY_COMPLETION_RETRY_MS: integer(
    'IDEMPOTENCY_COMPLETION_RETRY_MS',
    0,
    3_600_000,
  ).optional(),
  IDEMPOTENCY_REQUIRE_DURABLE_REDIS: boolean('IDEMPOTENCY_REQUIRE_DURABLE_REDIS').default(false),
  RATE_LIMIT_PER_MINUTE: integer('RATE_LIMIT_PER_MINUTE', 0, 1_000_000).default(20),
  UPSTREAM_BREAKER_THRESHOLD: integer('UPSTREAM_BREAKER_THRESHOLD', 1, 1000).default(5),
  UPSTREAM_BREAKER_COOLDOWN_MS: integer('UPSTREAM_BREAKER_COOLDOWN_MS', 100, 600_000).default(
    10_000,
  ),
  SHUTDOWN_DELAY_MS: integer('SHUTDOWN_DELAY_MS', 0, 120_000).default(5000),
  CORS_ORIGINS: z.string().optional(),
  HTTP_HEADERS_TIMEOUT_MS: integer('HTTP_HEADERS_TIMEOUT_MS', 500, 120_000).default(
    DEFAULT_HTTP_LIMITS.headersTimeoutMs,
  ),
  HTTP_REQUEST_TIMEOUT_MS: integer('HTTP_REQUEST_TIMEOUT_MS', 500, 600_000).default(
    DEFAULT_HTTP_LIMITS.requestTimeoutMs,
  ),
  HTTP_IDLE_TIMEOUT_MS: integer('HTTP_IDLE_TIMEOUT_MS', 1000, 3_600_000).optional(),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: integer('HTTP_KEEP_ALIVE_TIMEOUT_MS', 1000, 3_600_000).default(
    DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs,
  ),
  HTTP_MAX_CONNECTIONS: integer('HTTP_MAX_CONNECTIONS', 1, 1_000_000).default(
    DEFAULT_HTTP_LIMITS.maxConnections,
  ),
} satisfies Record<ConfigKey, z.ZodType>;

const fields = z.object(shape);

type Fields = z.output<typeof fields>;

/**
 * Rules between variables. They run even when some field failed (so one start shows every
 * problem), and skip a rule whose inputs are themselves invalid (their own message says why).
 */
function crossRules(env: Fields, ctx: z.RefinementCtx<Fields>): void {
  const failed = new Set(ctx.issues.map((issue) => issue.path?.[0]));
  const valid = (...keys: ConfigKey[]) => keys.every((key) => !failed.has(key));
  const production = env.NODE_ENV === 'production';

  if (
    valid('PORT', 'MANAGEMENT_PORT') &&
    env.MANAGEMENT_PORT !== 0 &&
    env.MANAGEMENT_PORT === env.PORT &&
    (env.MANAGEMENT_HOST ?? env.HOST) === env.HOST
  ) {
    ctx.addIssue('MANAGEMENT_PORT must differ from PORT: metrics and docs stay off the API port');
  }
  if (
    production &&
    valid('KONAPLATE_BASE_URL', 'KONAPLATE_ALLOW_PLAINTEXT') &&
    !env.KONAPLATE_ALLOW_PLAINTEXT &&
    schemeOf(env.KONAPLATE_BASE_URL) !== 'https:'
  ) {
    ctx.addIssue(
      'KONAPLATE_BASE_URL must use https: in production; set KONAPLATE_ALLOW_PLAINTEXT=true only ' +
        'when a sidecar or egress proxy adds TLS',
    );
  }
  if (
    (env.KONAPLATE_CLIENT_PRIVATE_KEY === undefined) !==
    (env.KONAPLATE_SERVER_PUBLIC_KEY === undefined)
  ) {
    ctx.addIssue(
      'set both KONAPLATE_CLIENT_PRIVATE_KEY and KONAPLATE_SERVER_PUBLIC_KEY (message encryption) or neither',
    );
  }
  if ((env.AUTH_JWT_SECRET === undefined) === (env.AUTH_JWKS_URL === undefined)) {
    ctx.addIssue('set exactly one of AUTH_JWT_SECRET (HS256) or AUTH_JWKS_URL (RS256/ES256)');
  }
  if (
    production &&
    env.AUTH_JWKS_URL !== undefined &&
    valid('AUTH_JWKS_URL') &&
    schemeOf(env.AUTH_JWKS_URL) !== 'https:'
  ) {
    // Keys fetched in plaintext could be swapped on the way, and every token with them.
    ctx.addIssue('AUTH_JWKS_URL must use https: in production');
  }

  const redisModes = [env.REDIS_URL, env.REDIS_SENTINELS, env.REDIS_CLUSTER_NODES].filter(
    (value) => value !== undefined,
  ).length;
  if (redisModes > 1) {
    ctx.addIssue('set only one of REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES');
  }
  if (env.REDIS_SENTINELS !== undefined && env.REDIS_SENTINEL_NAME === undefined) {
    ctx.addIssue('REDIS_SENTINEL_NAME is required with REDIS_SENTINELS');
  }
  if (redisModes === 0 && env.REDIS_MIN_REPLICAS > 0) {
    ctx.addIssue('REDIS_MIN_REPLICAS needs a Redis setting (the in-process store has no replicas)');
  }
  if (production && redisModes === 0) {
    ctx.addIssue(
      'a Redis setting (REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES) is required in production',
    );
  }

  if (
    env.IDEMPOTENCY_LEASE_MS !== undefined &&
    valid('IDEMPOTENCY_LEASE_MS', 'KONAPLATE_TIMEOUT_MS') &&
    env.IDEMPOTENCY_LEASE_MS <= env.KONAPLATE_TIMEOUT_MS
  ) {
    // A lease shorter than one upstream call would let a second request take over a live call.
    ctx.addIssue('IDEMPOTENCY_LEASE_MS must be greater than KONAPLATE_TIMEOUT_MS');
  }

  if (
    valid('HTTP_HEADERS_TIMEOUT_MS', 'HTTP_REQUEST_TIMEOUT_MS') &&
    env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS
  ) {
    // Node refuses it too: the whole request cannot be due before its headers.
    ctx.addIssue('HTTP_HEADERS_TIMEOUT_MS must not be greater than HTTP_REQUEST_TIMEOUT_MS');
  }
  if (
    env.HTTP_IDLE_TIMEOUT_MS !== undefined &&
    valid('HTTP_IDLE_TIMEOUT_MS', 'KONAPLATE_TIMEOUT_MS') &&
    env.HTTP_IDLE_TIMEOUT_MS <= env.KONAPLATE_TIMEOUT_MS
  ) {
    // While KONA is called nothing moves on the client's socket: it must outlast the call.
    ctx.addIssue('HTTP_IDLE_TIMEOUT_MS must be greater than KONAPLATE_TIMEOUT_MS');
  }
}

function toAppConfig(env: Fields): AppConfig {
  const timeoutMs = env.KONAPLATE_TIMEOUT_MS;
  return {
    production: env.NODE_ENV === 'production',
    http: {
      host: env.HOST,
      port: env.PORT,
      corsOrigins: (env.CORS_ORIGINS ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o !== ''),
      limits: toHttpLimits(env),
    },
    management: {
      host: env.MANAGEMENT_HOST ?? env.HOST,
      port: env.MANAGEMENT_PORT,
      docsEnabled: env.DOCS_ENABLED ?? env.NODE_ENV !== 'production',
    },
    tracing: toTracingSettings(env),
    logLevel: env.LOG_LEVEL,
    konaplate: {
      baseUrl: env.KONAPLATE_BASE_URL.replace(/\/+$/, ''),
      aspId: env.KONAPLATE_ASP_ID,
      accessKey: env.KONAPLATE_ACCESS_KEY,
      secretKey: env.KONAPLATE_SECRET_KEY,
      cryptoKeyId: env.KONAPLATE_CRYPTO_KEY_ID,
      timeZone: env.KONAPLATE_TIME_ZONE,
      timeoutMs,
      allowPlaintext: env.KONAPLATE_ALLOW_PLAINTEXT,
      encryption: toEncryption(env),
    },
    auth: {
      jwtSecret: env.AUTH_JWT_SECRET,
      jwksUrl: env.AUTH_JWKS_URL,
      issuer: env.AUTH_JWT_ISSUER,
      audience: env.AUTH_JWT_AUDIENCE,
      userIdClaim: env.AUTH_USER_ID_CLAIM,
    },
    redis: toRedis(env),
    idempotency: toIdempotency(env, timeoutMs),
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    breaker: {
      threshold: env.UPSTREAM_BREAKER_THRESHOLD,
      cooldownMs: env.UPSTREAM_BREAKER_COOLDOWN_MS,
    },
    shutdownDelayMs: env.SHUTDOWN_DELAY_MS,
  };
}

function toIdempotency(env: Fields, timeoutMs: number): IdempotencySettings {
  const leaseMs = env.IDEMPOTENCY_LEASE_MS ?? 3 * timeoutMs;
  return {
    ttlSeconds: env.IDEMPOTENCY_TTL_SECONDS,
    leaseMs,
    // As long as one lease by default: the lease is renewed meanwhile, so nobody takes over.
    completionRetryMs: env.IDEMPOTENCY_COMPLETION_RETRY_MS ?? leaseMs,
    minReplicas: env.REDIS_MIN_REPLICAS,
    replicaWaitMs: env.REDIS_REPLICA_WAIT_MS,
    requireDurableRedis: env.IDEMPOTENCY_REQUIRE_DURABLE_REDIS,
  };
}

function toHttpLimits(env: Fields): HttpLimits {
  return {
    headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
    idleTimeoutMs:
      env.HTTP_IDLE_TIMEOUT_MS ??
      Math.max(DEFAULT_HTTP_LIMITS.idleTimeoutMs, env.KONAPLATE_TIMEOUT_MS + 10_000),
    keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: env.HTTP_MAX_CONNECTIONS,
  };
}

function toEncryption(env: Fields): KonaEncryptionSettings | null {
  const { KONAPLATE_CLIENT_PRIVATE_KEY: clientPrivateKeyPem } = env;
  const { KONAPLATE_SERVER_PUBLIC_KEY: serverPublicKeyPem } = env;
  if (clientPrivateKeyPem === undefined || serverPublicKeyPem === undefined) return null;
  return {
    clientPrivateKeyPem,
    serverPublicKeyPem,
    alg: env.KONAPLATE_JWE_ALG,
    enc: env.KONAPLATE_JWE_ENC,
  };
}

function toRedis(env: Fields): RedisSettings {
  const password = env.REDIS_PASSWORD;
  if (env.REDIS_URL !== undefined) return { kind: 'single', url: env.REDIS_URL, password };
  if (env.REDIS_SENTINELS !== undefined) {
    return {
      kind: 'sentinel',
      sentinels: env.REDIS_SENTINELS,
      name: env.REDIS_SENTINEL_NAME ?? '',
      password,
    };
  }
  if (env.REDIS_CLUSTER_NODES !== undefined) {
    return { kind: 'cluster', nodes: env.REDIS_CLUSTER_NODES, password };
  }
  return { kind: 'memory' };
}

/** The whole environment schema: fields, then the rules between them, then the AppConfig. */
export const envSchema = fields
  .superRefine(crossRules, { when: () => true })
  .transform(toAppConfig);

/**
 * Validates the environment once, at start. Throws a {@link ConfigError} naming every bad or
 * missing variable; nothing outside this module reads `process.env`.
 */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const { values, problems } = readEnv(env);
  const result = envSchema.safeParse(values);
  const all = [...problems, ...(result.success ? [] : result.error.issues.map((i) => i.message))];
  if (all.length > 0 || !result.success) throw new ConfigError(all);
  return result.data;
}
