import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module';
import { ManagementServer } from './management.server';

/** The API app's side of the management listener (management.server.ts). */
@Module({
  imports: [HealthModule],
  providers: [ManagementServer],
  exports: [ManagementServer],
})
export class ManagementModule {}
