import { Global, Module } from '@nestjs/common';
import { KonaCallObserver } from '../konaplate/kona-call.observer';
import { MetricsService } from './metrics.service';

/** The metrics, scraped on the management port (management/). */
@Global()
@Module({
  providers: [MetricsService, { provide: KonaCallObserver, useExisting: MetricsService }],
  exports: [MetricsService, KonaCallObserver],
})
export class ObservabilityModule {}
