import type { AppConfig, KonaplateSettings } from '../config/app-config';
import { DEFAULT_HTTP_LIMITS } from '../config/app-config';

/** Parts of {@link AppConfig} a unit spec may want to change. */
export interface AppConfigOverrides {
  konaplate?: Partial<KonaplateSettings>;
  idempotency?: Partial<AppConfig['idempotency']>;
  rateLimitPerMinute?: number;
  breaker?: Partial<AppConfig['breaker']>;
}

/**
 * A complete, valid configuration for unit specs (the values pass load-config's rules), so a spec
 * names only what it is about.
 */
export function testAppConfig(overrides: AppConfigOverrides = {}): AppConfig {
  return {
    production: false,
    http: { host: '127.0.0.1', port: 0, corsOrigins: [], limits: { ...DEFAULT_HTTP_LIMITS } },
    management: { host: '127.0.0.1', port: 0, docsEnabled: true },
    tracing: null,
    logLevel: 'silent',
    konaplate: {
      baseUrl: 'http://127.0.0.1:9/open-api',
      aspId: 'KBFFTESTASPID01',
      accessKey: 'AK0123456789abcdefghijklmnopqrstuvwxyzAB',
      secretKey: 'unit-test-secret-key-0123456789',
      timeZone: 'KST',
      timeoutMs: 1000,
      allowPlaintext: false,
      encryption: null,
      ...overrides.konaplate,
    },
    auth: { jwtSecret: 'unit-test-jwt-secret-0123456789abcdef', userIdClaim: 'sub' },
    redis: { kind: 'memory' },
    idempotency: {
      ttlSeconds: 86_400,
      leaseMs: 3000,
      completionRetryMs: 3000,
      minReplicas: 0,
      replicaWaitMs: 250,
      requireDurableRedis: false,
      ...overrides.idempotency,
    },
    rateLimitPerMinute: overrides.rateLimitPerMinute ?? 20,
    breaker: { threshold: 5, cooldownMs: 10_000, ...overrides.breaker },
    shutdownDelayMs: 0,
  };
}
