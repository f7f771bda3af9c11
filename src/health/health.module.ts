import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { HealthController } from './health.controller';
import { ReadinessCheck } from './readiness.check';
import { ReadinessIndicators } from './readiness.indicators';
import { ShutdownState } from './shutdown.state';

@Module({
  imports: [
    // On SIGTERM terminus answers the probes 503 and waits SHUTDOWN_DELAY_MS before Nest closes
    // the server, so the endpoints drop the pod while it still serves (main.ts).
    TerminusModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        logger: false,
        gracefulShutdownTimeoutMs: config.shutdownDelayMs,
      }),
    }),
    IdempotencyModule,
  ],
  controllers: [HealthController],
  providers: [ReadinessIndicators, ReadinessCheck, ShutdownState],
  exports: [ShutdownState, ReadinessCheck],
})
export class HealthModule {}
