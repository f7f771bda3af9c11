import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { installJsonBodyParser } from './common/http/json-body.parser';
import { installCors } from './common/http/cors';
import { installMethodNotAllowed } from './common/http/method-not-allowed';
import { installRequestContext } from './common/http/request-id';
import { RouteTable } from './common/http/route-table';
import { installSecurityHeaders } from './common/http/security-headers';
import type { AppConfig } from './config/app-config';
import { ShutdownState } from './health/shutdown.state';
import { ManagementServer } from './management/management.server';
import { MetricsService } from './observability/metrics.service';
import { observeRequests } from './observability/request-observer';
import type { Tracing } from './observability/tracing/start-tracing';
import { installServerSpans } from './observability/tracing/server-spans';
import { buildOpenApiDocument } from './openapi/openapi';
import { serverOptions } from './server-options';

export interface CreateAppOptions {
  /** The SDK main.ts started (startTracing): flushed when the app shuts down. */
  tracing?: Tracing | null;
}

/**
 * Builds the whole gateway (used by main.ts, the e2e tests and the OpenAPI export): the API app,
 * and the management app whose listener app.listen() opens with the API's.
 */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, options.tracing ?? null),
    new FastifyAdapter(serverOptions(config.http.limits)),
    {
      bufferLogs: true,
      // Nest's own JSON parser would accept text/plain too: ours (below) is the only one.
      bodyParser: false,
    },
  );
  // Beyond the cap Node closes a new connection at once (before any byte is read). The
  // management listener is another server, outside this cap.
  app.getHttpServer().maxConnections = config.http.limits.maxConnections;
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
  const routes = new RouteTable();
  // Before any route is added (Nest adds them in init()).
  routes.collect(fastify);
  installRequestContext(fastify);
  if (config.tracing) installServerSpans(fastify);
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
  await app.init();

  // Metrics, docs and detailed health live on the management port only (README "Operating it").
  const management = app.get(ManagementServer);
  await management.prepare(config.management.docsEnabled ? buildOpenApiDocument(app) : null);
  // Fastify runs onReady inside app.listen(), before the API port opens: a management port that
  // cannot be had fails the start.
  fastify.addHook('onReady', () => management.listen());
}
