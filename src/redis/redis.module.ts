import type { OnApplicationShutdown } from '@nestjs/common';
import { Global, Inject, Logger, Module } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config';
import { MetricsService } from '../observability/metrics.service';
import { readDurability } from './durability';
import { PendingRedisWork } from './pending-work';
import { createRedisClient, waitUntilReady } from './redis-client.factory';

/** The shared Redis connection, or null when the in-process store is in use (development). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

const logger = new Logger('Redis');

/** Within the shutdown deadline of main.ts (3 s beyond one KONA timeout). */
const PENDING_WORK_GRACE_MS = 2000;

/**
 * At start: warn when Redis can forget or evict records; refuse to start in production when
 * IDEMPOTENCY_REQUIRE_DURABLE_REDIS=true. A Redis that cannot be checked is reported as such.
 */
async function checkDurability(client: Redis | Cluster, config: AppConfig): Promise<void> {
  if (client.status !== 'ready') {
    logger.warn('Redis is not reachable at start: its durability could not be checked');
    return;
  }
  const durability = await readDurability(client);
  if (durability.kind === 'unknown') {
    logger.warn({ reason: durability.reason }, 'could not check that Redis is durable');
    return;
  }
  if (durability.kind === 'durable') return;
  const message =
    `Redis can lose idempotency records: ${durability.problems.join('; ')}. A lost record ` +
    'lets a retry call KONA again with a new correlation id (README "What Redis must provide")';
  if (config.production && config.idempotency.requireDurableRedis) {
    client.disconnect();
    throw new Error(`${message}; IDEMPOTENCY_REQUIRE_DURABLE_REDIS=true refuses to start`);
  }
  logger.warn({ problems: durability.problems }, message);
}

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
          metrics.redisError('connection');
          // One line per second at most: a Redis outage must not flood the logs.
          if (Date.now() - lastLog > 1000) {
            lastLog = Date.now();
            logger.error({ reason: error.message }, 'Redis error');
          }
        });
        client.on('ready', () => logger.log('Redis ready'));
        await waitUntilReady(client, 2000);
        await checkDurability(client, config);
        return client;
      },
    },
    PendingRedisWork,
  ],
  exports: [REDIS_CLIENT, PendingRedisWork],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS_CLIENT) private readonly client: Redis | Cluster | null,
    private readonly pending: PendingRedisWork,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.client) return;
    // Answers still being stored get a last moment: the connection closes after them.
    const left = await this.pending.settle(PENDING_WORK_GRACE_MS);
    if (left > 0) logger.error({ left }, 'closing Redis with answers not yet stored');
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
