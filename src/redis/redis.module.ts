import type { OnApplicationShutdown } from '@nestjs/common';
import { Global, Inject, Logger, Module } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config';
import { MetricsService } from '../observability/metrics.service';
import { createRedisClient, waitUntilReady } from './redis-client.factory';

/** The shared Redis connection, or null when the in-process store is in use (development). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

const logger = new Logger('Redis');

@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [APP_CONFIG, MetricsService],
      useFactory: async (config: AppConfig, metrics: MetricsService) => {
        if (config.redis.kind === 'memory') return null;
        const client = createRedisClient(config.redis);
        let lastLog = 0;
        client.on('error', (error: Error) => {
          metrics.redisError();
          // One line per second at most: a Redis outage must not flood the logs.
          if (Date.now() - lastLog > 1000) {
            lastLog = Date.now();
            logger.error({ reason: error.message }, 'Redis error');
          }
        });
        client.on('ready', () => logger.log('Redis ready'));
        await waitUntilReady(client, 2000);
        return client;
      },
    },
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly client: Redis | Cluster | null) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.client) return;
    // QUIT needs a live connection; otherwise drop the socket and stop reconnecting at once.
    if (this.client.status !== 'ready') {
      this.client.disconnect();
      return;
    }
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}
