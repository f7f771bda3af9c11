import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import type { AppConfig } from './config/app-config';
import { ConfigError } from './config/config.error';
import { loadConfig } from './config/load-config';
import { needsEncryption } from './konaplate/operations/kona-operation';
import { KONA_OPERATIONS } from './konaplate/operations/kona-operations';
import { ManagementServer } from './management/management.server';
import { startTracing } from './observability/tracing/start-tracing';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // One message naming every bad variable, no stack trace.
    process.stderr.write(`kona-bff: ${error.message}\n`);
    process.exit(1);
  }
  // Before the app is built: every span of it goes to this SDK (off unless OTEL_* say so).
  const tracing = startTracing(config.tracing);
  const app = await createApp(config, { tracing });
  warnAboutConfiguration(config);
  // Opens the management port too (app.factory.ts).
  await app.listen({ port: config.http.port, host: config.http.host });
  const { host, port } = config.http;
  const management = app.get(ManagementServer).address();
  new Logger('Main').log(
    { node: process.version, host, port, managementPort: management?.port, tracing: !!tracing },
    `kona-bff listening on ${host}:${port}, management on ${config.management.host}:` +
      `${management?.port} (Node ${process.version})`,
  );
  drainOnSignals(app, config);
}

/** What the configuration allows but an operator should hear about at every start. */
function warnAboutConfiguration(config: AppConfig): void {
  const logger = new Logger('Config');
  if (
    config.production &&
    config.konaplate.allowPlaintext &&
    config.konaplate.baseUrl.startsWith('http:')
  ) {
    logger.warn(
      'KONAPLATE_ALLOW_PLAINTEXT=true: calls to KONA PLATE leave this process unencrypted; ' +
        'a sidecar or egress proxy must add TLS',
    );
  }
  if (config.konaplate.encryption === null) {
    const unavailable = KONA_OPERATIONS.filter(needsEncryption).map((op) => op.name);
    if (unavailable.length > 0) {
      logger.warn(
        { operations: unavailable },
        `message encryption is not configured: ${unavailable.join(', ')} answer 503 ENCRYPTION_NOT_CONFIGURED`,
      );
    }
  }
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * SIGTERM: Nest runs the shutdown hooks, in which terminus turns readiness 503 and waits
 * SHUTDOWN_DELAY_MS (time for the endpoints to drop the pod); then the server stops accepting,
 * in-flight requests finish, Redis is closed and Nest exits 0 (`useProcessExit`, so the log is
 * flushed; "shutdown complete" is the root module's hook). What the libraries do not give is
 * added here: the start of the drain in the log, and a deadline after which the process exits 1
 * rather than outlive Kubernetes' grace period.
 */
function drainOnSignals(app: NestFastifyApplication, config: AppConfig): void {
  app.enableShutdownHooks([...SIGNALS], { useProcessExit: true });
  const logger = new Logger('Shutdown');
  const announce = (signal: string) => {
    logger.log({ signal, delayMs: config.shutdownDelayMs }, 'shutting down: readiness now fails');
    // In-flight calls end within one KONA timeout.
    const deadline = config.shutdownDelayMs + config.konaplate.timeoutMs + 3000;
    setTimeout(() => {
      logger.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, deadline).unref();
  };
  let announced = false;
  for (const signal of SIGNALS)
    process.on(signal, () => {
      if (announced) return;
      announced = true;
      announce(signal);
    });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `kona-bff failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
