import { ConfigError } from '../config/config.error';
import { loadConfig } from '../config/load-config';

/** An environment as loadConfig reads it. */
export type Env = Record<string, string | undefined>;

export const ASP_ID = 'KBFFSANDBOXASP1'; // 15 characters
export const ACCESS_KEY = 'AK0123456789abcdefghijklmnopqrstuvwxyzAB'; // 40 characters
export const SECRET_KEY = 'sandbox-secret-key-0123456789';
export const JWT_SECRET = 'unit-test-jwt-secret-0123456789abcdef';

/** The smallest environment the gateway starts with (development, no Redis). */
export function minimalEnv(overrides: Env = {}): Env {
  return {
    KONAPLATE_BASE_URL: 'https://sandbox.konaplate.com/open-api',
    KONAPLATE_ASP_ID: ASP_ID,
    KONAPLATE_ACCESS_KEY: ACCESS_KEY,
    KONAPLATE_SECRET_KEY: SECRET_KEY,
    AUTH_JWT_SECRET: JWT_SECRET,
    ...overrides,
  };
}

/** The problems of the ConfigError that loading `env` throws (fails the test when none is thrown). */
export function problemsOf(env: Env): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
