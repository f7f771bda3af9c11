import type { HelmetOptions } from 'helmet';
import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** One helmet configuration for every answer, whichever path produced it. */
export const HELMET_OPTIONS: HelmetOptions = {
  // Swagger UI at /docs needs its inline bootstrap script and styles.
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", "'unsafe-inline'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
    },
  },
};

const applyHelmet = helmet(HELMET_OPTIONS);

/**
 * The same headers for answers Fastify writes before any hook runs (a malformed URL), where
 * @fastify/helmet's onRequest hook never fires.
 */
export function setSecurityHeaders(request: IncomingMessage, response: ServerResponse): void {
  applyHelmet(request, response, () => undefined);
}
