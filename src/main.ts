import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import type { AppConfig } from './config/app-config';
import { ConfigError } from './config/config.error';
import { loadConfig } from './config/load-config';
import { ShutdownState } from './health/shutdown.state';

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
  const app = await createApp(config);
  await app.listen({ port: config.http.port, host: config.http.host });
  drainOnSignals(app, config);
}

/**
 * SIGTERM: readiness fails at once; after SHUTDOWN_DELAY_MS (time for the endpoints to drop the
 * pod) the server stops accepting, in-flight requests finish, Redis is closed, exit 0.
 */
function drainOnSignals(app: NestFastifyApplication, config: AppConfig): void {
  const logger = new Logger('Shutdown');
  const shutdown = app.get(ShutdownState);
  const drain = async (signal: string) => {
    if (shutdown.shuttingDown) return;
    shutdown.begin();
    logger.log({ signal, delayMs: config.shutdownDelayMs }, 'shutting down: readiness now fails');
    // In-flight calls end within one KONA timeout; exit before Kubernetes' grace period does.
    const deadline = config.shutdownDelayMs + config.konaplate.timeoutMs + 3000;
    setTimeout(() => {
      logger.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, deadline).unref();
    await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
    await app.close();
    logger.log('shutdown complete');
    process.exit(0);
  };
  const onSignal = (signal: string) =>
    drain(signal).catch((error: unknown) => {
      logger.error(
        { reason: error instanceof Error ? error.message : String(error) },
        'shutdown failed',
      );
      process.exit(1);
    });
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.on(signal, () => void onSignal(signal));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `kona-bff failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
