import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { HealthController } from './health.controller';
import { ReadinessIndicators } from './readiness.indicators';
import { ShutdownState } from './shutdown.state';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), IdempotencyModule],
  controllers: [HealthController],
  providers: [ReadinessIndicators, ShutdownState],
  exports: [ShutdownState],
})
export class HealthModule {}
