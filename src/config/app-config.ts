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

export interface KonaplateSettings {
  baseUrl: string;
  aspId: string;
  accessKey: string;
  secretKey: string;
  cryptoKeyId?: string;
  timeZone: KonaTimeZone;
  timeoutMs: number;
}

export interface AuthSettings {
  jwtSecret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  userIdClaim: string;
}

/** The gateway's whole configuration, validated once at start (see load-config.ts). */
export interface AppConfig {
  production: boolean;
  http: { host: string; port: number; corsOrigins: string[] };
  logLevel: LogLevel;
  konaplate: KonaplateSettings;
  auth: AuthSettings;
  redis: RedisSettings;
  idempotency: { ttlSeconds: number; leaseMs: number };
  rateLimitPerMinute: number;
  breaker: { threshold: number; cooldownMs: number };
  shutdownDelayMs: number;
}

/** Injection token for {@link AppConfig}. */
export const APP_CONFIG = Symbol('APP_CONFIG');
