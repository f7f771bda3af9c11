import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config';
import { IdempotencyStore } from '../idempotency/idempotency.store';
import { ShutdownState } from './shutdown.state';

/** The checks behind /health/ready, in terminus' HealthIndicatorService style. */
@Injectable()
export class ReadinessIndicators {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly indicators: HealthIndicatorService,
    private readonly store: IdempotencyStore,
    private readonly shutdown: ShutdownState,
  ) {}

  async redis() {
    const indicator = this.indicators.check('redis');
    const started = performance.now();
    try {
      await this.store.ping();
      return indicator.up({
        store: this.config.redis.kind,
        latencyMs: Math.round(performance.now() - started),
      });
    } catch (error) {
      return indicator.down({
        store: this.config.redis.kind,
        message: error instanceof Error ? error.message : 'down',
      });
    }
  }

  lifecycle() {
    const indicator = this.indicators.check('lifecycle');
    return this.shutdown.shuttingDown
      ? indicator.down({ state: 'shutting-down' })
      : indicator.up({ state: 'serving' });
  }
}
