import { Logger, Module } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config';
import { MetricsService } from '../observability/metrics.service';
import { COMMAND_TIMEOUT_MS } from '../redis/redis-client.factory';
import { REDIS_CLIENT } from '../redis/redis.module';
import { IdempotencyService } from './idempotency.service';
import { IdempotencyStore } from './idempotency.store';
import { MemoryIdempotencyStore } from './memory-idempotency.store';
import { RedisIdempotencyStore } from './redis-idempotency.store';
import { TracingIdempotencyStore } from './tracing-idempotency.store';

/** With tracing on, every store step is a span (tracing-idempotency.store.ts). */
function traced(config: AppConfig, store: IdempotencyStore, redis: boolean): IdempotencyStore {
  return config.tracing ? new TracingIdempotencyStore(store, redis ? 'redis' : 'memory') : store;
}

@Module({
  providers: [
    {
      provide: IdempotencyStore,
      inject: [APP_CONFIG, REDIS_CLIENT, MetricsService],
      useFactory: (config: AppConfig, redis: Redis | Cluster | null, metrics: MetricsService) => {
        if (redis) {
          const store = new RedisIdempotencyStore(redis, {
            commandTimeoutMs: COMMAND_TIMEOUT_MS,
            minReplicas: config.idempotency.minReplicas,
            replicaWaitMs: config.idempotency.replicaWaitMs,
            onError: (kind) => metrics.redisError(kind),
          });
          return traced(config, store, true);
        }
        // Config refuses this in production; elsewhere it is allowed, loudly.
        new Logger('Idempotency').warn(
          '*** No Redis configured: idempotency records live in THIS PROCESS ONLY. ' +
            'Fine for development; never run more than one instance like this. ***',
        );
        if (config.production) throw new Error('in-process idempotency store in production');
        return traced(config, new MemoryIdempotencyStore(), false);
      },
    },
    IdempotencyService,
  ],
  exports: [IdempotencyService, IdempotencyStore],
})
export class IdempotencyModule {}
