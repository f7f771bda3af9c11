import { Global, Module } from '@nestjs/common';
import { KonaCallObserver } from '../konaplate/kona-call.observer';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsService, { provide: KonaCallObserver, useExisting: MetricsService }],
  exports: [MetricsService, KonaCallObserver],
})
export class ObservabilityModule {}
