import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { installJsonBodyParser } from './common/http/json-body.parser';
import { installCors } from './common/http/cors';
import { answerBadUrl, answerClientError } from './common/http/framework-errors';
import { installMethodNotAllowed } from './common/http/method-not-allowed';
import { installRequestContext, requestIdFactory } from './common/http/request-id';
import { RouteTable } from './common/http/route-table';
import { installSecurityHeaders } from './common/http/security-headers';
import type { AppConfig, HttpLimits } from './config/app-config';
import { ShutdownState } from './health/shutdown.state';
import { maskText } from './observability/mask';
import { MetricsService } from './observability/metrics.service';
import { observeRequests } from './observability/request-observer';
import { buildOpenApiDocument, serveOpenApi } from './openapi/openapi';

/** Bodies over 16 KiB are refused with 413 before they are read in full. */
export const BODY_LIMIT_BYTES = 16 * 1024;

/** Builds the whole gateway (used by main.ts, the e2e tests and the OpenAPI export). */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const { limits } = config.http;
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    ...connectionOptions(limits),
    // X-Request-Id: the caller's when well formed and free of anything the log would mask.
    genReqId: requestIdFactory(maskText),
    requestIdHeader: false,
    routerOptions: { maxParamLength: 64 },
    // Nest 12 applies this from the first shutdown hook on, which would refuse every request during
    // the drain delay: the pod must keep serving while the endpoints drop it. After close(),
    // answers already carry `Connection: close` and idle sockets are closed (below).
    return503OnClosing: false,
    // Fastify answers a bad URL itself (over-long path value, broken %-escape) unless told to
    // hand it over: the app's answer is a problem like any other, without echoing the path.
    frameworkErrors: answerBadUrl,
    clientErrorHandler: answerClientError,
    forceCloseConnections: 'idle',
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
    // Nest's own JSON parser would accept text/plain too: ours (below) is the only one.
    bodyParser: false,
  });
  // Beyond the cap Node closes a new connection at once (before any byte is read).
  app.getHttpServer().maxConnections = limits.maxConnections;
  try {
    await configure(app, config);
  } catch (error) {
    await app.close();
    throw error;
  }
  return app;
}

/**
 * Node's own limits per connection (README "Configuration"). Headers and request timeouts count
 * from the request's first byte (a fresh connection: from its accept) and are checked every
 * `connectionsCheckingInterval`, so that is kept well under them: a late request gets its 408
 * within a fifth of its timeout.
 */
function connectionOptions(limits: HttpLimits) {
  return {
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(1000, limits.headersTimeoutMs / 5)),
    },
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
  };
}

async function configure(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  app.useLogger(app.get(Logger));
  app.flushLogs();

  const fastify = app.getHttpAdapter().getInstance();
  const routes = new RouteTable();
  // Before any route is added (Nest adds them in init(), Swagger UI in serveOpenApi).
  routes.collect(fastify);
  installRequestContext(fastify);
  installJsonBodyParser(fastify);
  installSecurityHeaders(fastify);
  installCors(fastify, config.http.corsOrigins, routes);
  installMethodNotAllowed(fastify, routes);
  observeRequests(fastify, app.get(MetricsService));
  const shutdown = app.get(ShutdownState);
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    // Draining: a keep-alive client must not hold its socket open past our close().
    if (shutdown.shuttingDown) void reply.header('connection', 'close');
    done(null, payload);
  });

  serveOpenApi(app, buildOpenApiDocument(app));
  await app.init();
}
