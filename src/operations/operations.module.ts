import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { KonaplateModule } from '../konaplate/konaplate.module';
import { OperationRunner } from './operation-runner';

/** The engine that runs every KONA operation (src/konaplate/operations) for the mobile routes. */
@Module({
  imports: [IdempotencyModule, KonaplateModule],
  providers: [OperationRunner],
  exports: [OperationRunner],
})
export class OperationsModule {}
