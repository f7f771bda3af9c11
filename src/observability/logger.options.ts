import type { Params } from 'nestjs-pino';
import { currentRequestContext } from '../common/http/request-id';
import type { AppConfig } from '../config/app-config';
import { stdoutDestination } from './log-destination';
import { maskLogObject, maskText } from './mask';

/**
 * nestjs-pino for every log line of the app (JSON, one object a line). Its per-request pino-http
 * middleware is not mounted (`forRoutes: []`): the access log is one line written by the
 * request-observer hook (request-observer.ts), which costs a fraction of a child logger, an
 * AsyncLocalStorage context and an Express-middleware layer per request (bench/RESULTS.md).
 *
 * Every line written while a request is served carries its `reqId` (and the caller's `traceId`,
 * `parentId`, `traceState`), from the request context (common/http/request-id.ts). Every string
 * of every line, the message included, goes through the masking of mask.ts.
 */
export function loggerOptions(config: AppConfig): Params {
  return {
    forRoutes: [],
    pinoHttp: {
      level: config.logLevel,
      // Bounded: a stalled stdout costs dropped lines (counted), not unbounded memory.
      stream: stdoutDestination(),
      // Nothing logs headers; these are a second line of defence should anyone log a request.
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', 'authorization'],
        censor: '[redacted]',
      },
      mixin: () => ({ ...currentRequestContext() }),
      formatters: { log: (object) => maskLogObject(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((arg: unknown) =>
            typeof arg === 'string' ? maskText(arg) : arg,
          );
          method.apply(this, masked as Parameters<typeof method>);
        },
      },
    },
  };
}
