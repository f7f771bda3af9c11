import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';

/**
 * nestjs-pino for every log line of the app (JSON, one object a line). Its per-request pino-http
 * middleware is not mounted (`forRoutes: []`): the access log is one line written by the
 * request-observer hook (request-observer.ts), which costs a fraction of a child logger, an
 * AsyncLocalStorage context and an Express-middleware layer per request (bench/RESULTS.md).
 */
export function loggerOptions(config: AppConfig): Params {
  return {
    forRoutes: [],
    pinoHttp: {
      level: config.logLevel,
      // Nothing logs headers; these are a second line of defence should anyone log a request.
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', 'authorization'],
        censor: '[redacted]',
      },
    },
  };
}
