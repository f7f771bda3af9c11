import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';
import { maskUrl } from './mask';

/** Fields the auth guard and router leave on the raw request for the access log. */
export interface RequestLogFields {
  memberId?: string;
  routePattern?: string;
}

const QUIET = /^\/(health|metrics)(\/|$|\?)/;

/**
 * One JSON line per request: method, route, status, duration, correlation id and member id.
 * Secrets never reach a line: headers are not logged at all (so no authorization, token or key),
 * and the PAR in a card URL is masked. Probes and scrapes are not logged.
 */
export function loggerOptions(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      // Under Fastify the middleware sees a mount-relative `url`; `originalUrl` is the full path.
      autoLogging: { ignore: (req) => QUIET.test(fullUrl(req)) },
      quietReqLogger: true,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["x-km-access-key"]',
          'req.headers["x-km-tran-token"]',
          '*.secretKey',
          '*.accessKey',
          '*.token',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: IncomingMessage & { id?: unknown }) => ({
          id: req.id,
          method: req.method,
          url: maskUrl(req.url ?? ''),
        }),
        res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      },
      customProps: (req: IncomingMessage & RequestLogFields, res: ServerResponse) => ({
        route: req.routePattern,
        memberId: req.memberId,
        correlationId: res.getHeader('x-correlation-id'),
      }),
      customSuccessMessage: (req, res) =>
        `${req.method} ${maskUrl(req.url ?? '')} ${res.statusCode}`,
      customErrorMessage: (req, res) => `${req.method} ${maskUrl(req.url ?? '')} ${res.statusCode}`,
    },
  };
}

function fullUrl(req: IncomingMessage & { originalUrl?: string }): string {
  return req.originalUrl ?? req.url ?? '';
}
