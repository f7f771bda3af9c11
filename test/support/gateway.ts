import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomInt } from 'node:crypto';
import { SignJWT } from 'jose';
import type { CreateAppOptions } from '../../src/app.factory';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/load-config';
import { ManagementServer } from '../../src/management/management.server';
import { SANDBOX_DEMO } from '../sandbox/demo-credentials';

export const TEST_JWT_SECRET = 'e2e-only-jwt-secret-that-is-32-bytes-or-more';

/** The environment of a gateway wired to a sandbox and, unless `redisUrl` is null, a real Redis. */
export function gatewayEnv(
  sandboxUrl: string,
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    KONAPLATE_BASE_URL: sandboxUrl,
    KONAPLATE_ASP_ID: SANDBOX_DEMO.aspId,
    KONAPLATE_ACCESS_KEY: SANDBOX_DEMO.accessKey,
    KONAPLATE_SECRET_KEY: SANDBOX_DEMO.secretKey,
    KONAPLATE_TIME_ZONE: 'KST',
    KONAPLATE_TIMEOUT_MS: '2000',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    REDIS_URL: process.env.KBFF_TEST_REDIS_URL,
    RATE_LIMIT_PER_MINUTE: '100000',
    SHUTDOWN_DELAY_MS: '0',
    // Any free port: many gateways run at once in one jest worker.
    MANAGEMENT_PORT: '0',
    ...overrides,
  };
}

export interface RunningGateway {
  url: string;
  /** The management listener: /metrics, /docs*, detailed /health/*. */
  managementUrl: string;
  app: NestFastifyApplication;
  close(): Promise<void>;
}

/** Boots the real app on an ephemeral loopback port (and its management port). */
export async function startGateway(
  env: Record<string, string | undefined>,
  options: CreateAppOptions = {},
): Promise<RunningGateway> {
  const app = await createApp(loadConfig({ HOST: '127.0.0.1', ...env }), options);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const management = app.get(ManagementServer).address();
  return {
    url: `http://127.0.0.1:${port}`,
    managementUrl: `http://127.0.0.1:${management?.port}`,
    app,
    close: () => app.close(),
  };
}

/** The management listener of `gateway`, as callGateway's first argument. */
export const managementOf = (gateway: RunningGateway): { url: string } => ({
  url: gateway.managementUrl,
});

/** An HS256 token for `sub`, valid for an hour unless told otherwise. */
export function tokenFor(
  sub: string | number,
  options: { expiresIn?: string | number; secret?: string; claims?: Record<string, unknown> } = {},
): Promise<string> {
  const jwt = new SignJWT({ sub: sub as string, ...options.claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt();
  if (options.expiresIn !== undefined) jwt.setExpirationTime(options.expiresIn);
  else jwt.setExpirationTime('1h');
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

let keyCounter = 0;
/** A fresh Idempotency-Key. */
export function newKey(): string {
  keyCounter += 1;
  return `test-${process.pid}-${Date.now()}-${keyCounter}`;
}

/**
 * A distinct valid member id per call, so tests never share records or rate limits: random, since
 * every test file in a jest worker shares the process (and the run's Redis). Safe integers only.
 */
export function newMember(): string {
  // Below 2^53 so tests may also send it as a JSON number; far from the sandbox's 7-digit members.
  return String(1_000_000_000_000 + randomInt(0, 2 ** 47) * 16 + randomInt(0, 16));
}

export const PAR = 'V0010013019123456789012345A';

export interface CallOptions {
  token?: string | null;
  key?: string | null;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Calls the gateway as the mobile app would. */
export async function callGateway(
  gateway: { url: string },
  method: 'POST' | 'PUT' | 'GET',
  path: string,
  options: CallOptions = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown>; text: string }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.key) headers['idempotency-key'] = options.key;
  const body =
    options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(`${gateway.url}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON: the test looks at text */
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}
