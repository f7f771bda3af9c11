import type { AppConfig, KonaTimeZone, LogLevel, RedisSettings } from './app-config';
import { ConfigError } from './config.error';
import { EnvReader } from './env-reader';

const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];
const TIME_ZONES: readonly KonaTimeZone[] = ['KST', 'UTC'];

/**
 * Validates the environment once, at start. Throws a {@link ConfigError} naming every bad or
 * missing variable; nothing outside this module reads `process.env`.
 */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const read = new EnvReader(env);
  const production = env.NODE_ENV === 'production';
  const timeoutMs = read.int('KONAPLATE_TIMEOUT_MS', 5000, 100, 120_000);

  const config: AppConfig = {
    production,
    http: {
      host: read.string('HOST') ?? '0.0.0.0',
      port: read.int('PORT', 3000, 0, 65535),
      corsOrigins: (read.string('CORS_ORIGINS') ?? '').split(',').filter((o) => o.trim() !== ''),
    },
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    konaplate: {
      baseUrl: (read.url('KONAPLATE_BASE_URL', true) ?? '').replace(/\/+$/, ''),
      aspId: read.required('KONAPLATE_ASP_ID', { length: 15 }),
      accessKey: read.required('KONAPLATE_ACCESS_KEY', { length: 40 }),
      secretKey: read.required('KONAPLATE_SECRET_KEY', { minLength: 16 }),
      cryptoKeyId: read.string('KONAPLATE_CRYPTO_KEY_ID', { length: 32 }),
      timeZone: read.oneOf('KONAPLATE_TIME_ZONE', TIME_ZONES, 'KST'),
      timeoutMs,
    },
    auth: {
      jwtSecret: read.string('AUTH_JWT_SECRET', { minLength: 32 }),
      jwksUrl: read.url('AUTH_JWKS_URL', false),
      issuer: read.string('AUTH_JWT_ISSUER'),
      audience: read.string('AUTH_JWT_AUDIENCE'),
      userIdClaim: read.string('AUTH_USER_ID_CLAIM') ?? 'sub',
    },
    redis: readRedis(read, production),
    idempotency: {
      ttlSeconds: read.int('IDEMPOTENCY_TTL_SECONDS', 86_400, 60, 30 * 86_400),
      leaseMs: read.int('IDEMPOTENCY_LEASE_MS', 3 * timeoutMs, 100, 3_600_000),
    },
    rateLimitPerMinute: read.int('RATE_LIMIT_PER_MINUTE', 20, 0, 1_000_000),
    breaker: {
      threshold: read.int('UPSTREAM_BREAKER_THRESHOLD', 5, 1, 1000),
      cooldownMs: read.int('UPSTREAM_BREAKER_COOLDOWN_MS', 10_000, 100, 600_000),
    },
    shutdownDelayMs: read.int('SHUTDOWN_DELAY_MS', 5000, 0, 120_000),
  };

  const { auth, idempotency } = config;
  if (!auth.jwtSecret === !auth.jwksUrl) {
    read.problems.push('set exactly one of AUTH_JWT_SECRET (HS256) or AUTH_JWKS_URL (RS256/ES256)');
  }
  if (idempotency.leaseMs <= timeoutMs) {
    // A lease shorter than one upstream call would let a second request take over a live call.
    read.problems.push('IDEMPOTENCY_LEASE_MS must be greater than KONAPLATE_TIMEOUT_MS');
  }
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}

function readRedis(read: EnvReader, production: boolean): RedisSettings {
  const url = read.url('REDIS_URL', false);
  const sentinels = read.hostPorts('REDIS_SENTINELS');
  const sentinelName = read.string('REDIS_SENTINEL_NAME');
  const nodes = read.hostPorts('REDIS_CLUSTER_NODES');
  const password = read.string('REDIS_PASSWORD');

  const chosen = [url, sentinels, nodes].filter((v) => v !== undefined).length;
  if (chosen > 1) {
    read.problems.push('set only one of REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES');
  }
  if (sentinels && !sentinelName)
    read.problems.push('REDIS_SENTINEL_NAME is required with REDIS_SENTINELS');
  if (url) return { kind: 'single', url, password };
  if (sentinels) return { kind: 'sentinel', sentinels, name: sentinelName ?? '', password };
  if (nodes) return { kind: 'cluster', nodes, password };
  if (production) {
    read.problems.push(
      'a Redis setting (REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES) is required in production',
    );
  }
  return { kind: 'memory' };
}
