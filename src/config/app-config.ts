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
