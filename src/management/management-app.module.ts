import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ProblemFilter } from '../common/filters/problem.filter';
import { HealthDetailController } from '../health/health.detail.controller';
import { ReadinessCheck } from '../health/readiness.check';
import { MetricsController } from '../observability/metrics.controller';
import { MetricsService } from '../observability/metrics.service';

/** What the management app serves from the API app: the same metrics and the same checks. */
export interface ManagementShared {
  metrics: MetricsService;
  readiness: ReadinessCheck;
}

/**
 * The root module of the management app (management.server.ts), a Nest app of its own with its
 * own listener: /metrics, detailed /health/*, and /docs* when enabled. Its providers are the API
 * app's instances, so it reports on that app and nothing is built twice.
 */
@Module({})
export class ManagementAppModule {
  static forRoot(shared: ManagementShared): DynamicModule {
    return {
      module: ManagementAppModule,
      controllers: [MetricsController, HealthDetailController],
      providers: [
        { provide: MetricsService, useValue: shared.metrics },
        { provide: ReadinessCheck, useValue: shared.readiness },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
