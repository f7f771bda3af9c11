import { Module } from '@nestjs/common';
import { CorrelationModule } from '../correlation/correlation.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { KonaplateModule } from '../konaplate/konaplate.module';
import { OperationRunner } from './operation-runner';

/** The engine that runs every KONA operation (src/konaplate/operations) for the mobile routes. */
@Module({
  imports: [CorrelationModule, IdempotencyModule, KonaplateModule],
  providers: [OperationRunner],
  exports: [OperationRunner],
})
export class OperationsModule {}
