import type { FastifyInstance } from 'fastify';
import type { HelmetOptions } from 'helmet';
import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

const OPTIONS: HelmetOptions = {
  // Swagger UI at /docs needs its inline bootstrap script and styles.
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", "'unsafe-inline'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      // helmet's default would make a browser fetch /docs' own scripts and styles over https:
      // wherever the gateway is reached over plain HTTP (any host but localhost), leaving the page
      // blank. The API's answers are JSON with nothing to upgrade; HSTS covers HTTPS deployments.
      upgradeInsecureRequests: null,
    },
  },
};

/**
 * helmet's headers, computed once: with these options they do not depend on the request, and
 * @fastify/helmet recomputed them (CSP included) on every request (bench/RESULTS.md).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = (() => {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  };
  helmet(OPTIONS)({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return Object.freeze(headers);
})();

/** Every answer gets the security headers, set before any route or error handler runs. */
export function installSecurityHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(SECURITY_HEADERS);
    done();
  });
}
