import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { AddressInfo } from 'node:net';
import { installMethodNotAllowed } from '../common/http/method-not-allowed';
import { installRequestContext } from '../common/http/request-id';
import { RouteTable } from '../common/http/route-table';
import { installSecurityHeaders } from '../common/http/security-headers';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config';
import { ReadinessCheck } from '../health/readiness.check';
import { MetricsService } from '../observability/metrics.service';
import { serveOpenApi } from '../openapi/openapi';
import { serverOptions } from '../server-options';
import { ManagementAppModule } from './management-app.module';

/**
 * The management listener (MANAGEMENT_PORT): a second, small Nest app on its own Fastify server,
 * so metrics, docs and detailed health never share the API's port, its connection cap or its
 * access log. The API app builds it (`prepare`), opens it while its own server gets ready
 * (`listen`, from app.listen) and closes it on shutdown, after the API server has closed, so
 * readiness and metrics stay reachable through the drain.
 */
@Injectable()
export class ManagementServer implements OnApplicationShutdown {
  private app: NestFastifyApplication | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly readiness: ReadinessCheck,
    private readonly logger: Logger,
  ) {}

  /** Builds the management app, not listening yet; `document` is served at /docs* when given. */
  async prepare(document: OpenAPIObject | null): Promise<void> {
    const shared = { metrics: this.metrics, readiness: this.readiness };
    const app = await NestFactory.create<NestFastifyApplication>(
      ManagementAppModule.forRoot(shared),
      new FastifyAdapter(serverOptions(this.config.http.limits)),
      // Errors reach createApp, which closes the API app: never process.abort() from here.
      { bufferLogs: true, bodyParser: false, abortOnError: false },
    );
    this.app = app;
    app.useLogger(this.logger);
    app.flushLogs();
    const fastify = app.getHttpAdapter().getInstance();
    const routes = new RouteTable();
    routes.collect(fastify);
    installRequestContext(fastify);
    installSecurityHeaders(fastify);
    installMethodNotAllowed(fastify, routes);
    if (document !== null) serveOpenApi(app, document);
    await app.init();
  }

  async listen(): Promise<void> {
    if (this.app === null) throw new Error('the management app was not prepared');
    const { host, port } = this.config.management;
    await this.app.listen({ host, port });
  }

  /** Where it listens (the port is the real one when MANAGEMENT_PORT=0); null before listen. */
  address(): AddressInfo | null {
    const address = this.app?.getHttpServer().address();
    return typeof address === 'object' && address !== null ? address : null;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.app?.close();
  }
}
