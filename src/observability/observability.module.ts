import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config';
import { KonaCallObserver } from '../konaplate/kona-call.observer';
import { MetricsService } from './metrics.service';
import type { Tracing } from './tracing/start-tracing';
import { SpanRecordingObserver } from './tracing/span-recording.observer';
import { TRACING, TracingLifecycle } from './tracing/tracing.lifecycle';

/**
 * Metrics (scraped on the management port, management/) and tracing: `tracing` is the SDK main.ts
 * started, flushed when the app shuts down.
 */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(tracing: Tracing | null): DynamicModule {
    return {
      module: ObservabilityModule,
      providers: [
        MetricsService,
        {
          provide: KonaCallObserver,
          inject: [APP_CONFIG, MetricsService],
          useFactory: (config: AppConfig, metrics: MetricsService) =>
            config.tracing ? new SpanRecordingObserver(metrics) : metrics,
        },
        { provide: TRACING, useValue: tracing },
        TracingLifecycle,
      ],
      exports: [MetricsService, KonaCallObserver],
    };
  }
}
