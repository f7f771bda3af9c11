import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { installJsonBodyParser } from './common/http/json-body.parser';
import { answerBadUrl, answerClientError } from './common/http/framework-errors';
import { installSecurityHeaders } from './common/http/security-headers';
import type { AppConfig } from './config/app-config';
import { ShutdownState } from './health/shutdown.state';
import { MetricsService } from './observability/metrics.service';
import { observeRequests } from './observability/request-observer';
import { buildOpenApiDocument, serveOpenApi } from './openapi/openapi';

/** Bodies over 16 KiB are refused with 413 before they are read in full. */
export const BODY_LIMIT_BYTES = 16 * 1024;

/** Builds the whole gateway (used by main.ts, the e2e tests and the OpenAPI export). */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
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
  try {
    await configure(app, config);
  } catch (error) {
    await app.close();
    throw error;
  }
  return app;
}

async function configure(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  app.useLogger(app.get(Logger));
  app.flushLogs();

  const fastify = app.getHttpAdapter().getInstance();
  installJsonBodyParser(fastify);
  installSecurityHeaders(fastify);
  observeRequests(fastify, app.get(MetricsService));
  const shutdown = app.get(ShutdownState);
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    // Draining: a keep-alive client must not hold its socket open past our close().
    if (shutdown.shuttingDown) void reply.header('connection', 'close');
    done(null, payload);
  });

  if (config.http.corsOrigins.length > 0) app.enableCors({ origin: config.http.corsOrigins });

  serveOpenApi(app, buildOpenApiDocument(app));
  await app.init();
}
