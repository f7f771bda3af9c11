import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Inject, Logger, Module } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config';
import { REDIS_CLIENT } from '../redis/redis.module';
import { CorrelationIds } from './correlation-ids';
import { FixedInstanceSlot } from './fixed-instance-slot';
import { InstanceSlot } from './instance-slot';
import { DEFAULT_SLOT_LEASE, RedisInstanceSlot } from './redis-instance-slot';

const logger = new Logger('CorrelationIds');

/** KONA correlation ids, unique across every replica that shares the Redis. */
@Module({
  providers: [
    {
      provide: InstanceSlot,
      inject: [REDIS_CLIENT],
      useFactory: (redis: Redis | Cluster | null) =>
        redis
          ? new RedisInstanceSlot(redis, {
              ...DEFAULT_SLOT_LEASE,
              onAcquired: (slot) => logger.log({ slot }, `correlation-id slot ${slot} leased`),
              onLost: (reason) =>
                logger.error(
                  { reason },
                  'correlation-id slot lost: KONA calls answer 503 until a new one is leased',
                ),
            })
          : new FixedInstanceSlot(),
    },
    {
      provide: CorrelationIds,
      inject: [InstanceSlot, APP_CONFIG],
      useFactory: (slot: InstanceSlot, config: AppConfig) =>
        new CorrelationIds(slot, config.konaplate.timeZone),
    },
  ],
  exports: [CorrelationIds],
})
export class CorrelationModule implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(InstanceSlot) private readonly slot: InstanceSlot) {}

  /** One try before the app listens (within Redis' command timeout); then in the background. */
  async onModuleInit(): Promise<void> {
    if (this.slot instanceof RedisInstanceSlot) await this.slot.start();
  }

  onApplicationShutdown(): void {
    if (this.slot instanceof RedisInstanceSlot) this.slot.stop();
  }
}
