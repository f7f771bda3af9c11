import { createApp } from '../app.factory';
import { loadConfig } from '../config/load-config';
import { buildOpenApiDocument } from './openapi';

/** Settings that only let the app boot for describing itself: nothing is called or stored. */
const DESCRIBE_ONLY_ENV = {
  NODE_ENV: 'development',
  LOG_LEVEL: 'silent',
  KONAPLATE_BASE_URL: 'http://127.0.0.1:9',
  KONAPLATE_ASP_ID: 'X'.repeat(15),
  KONAPLATE_ACCESS_KEY: 'X'.repeat(40),
  KONAPLATE_SECRET_KEY: 'X'.repeat(32),
  AUTH_JWT_SECRET: 'X'.repeat(32),
};

/** The OpenAPI document as committed in openapi.json (stable key order, trailing newline). */
export async function renderOpenApiJson(): Promise<string> {
  const app = await createApp(loadConfig(DESCRIBE_ONLY_ENV));
  try {
    return `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
  } finally {
    await app.close();
  }
}
