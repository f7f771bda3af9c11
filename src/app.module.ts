import type { DynamicModule } from '@nestjs/common';
import { Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { CardsModule } from './cards/cards.module';
import { ProblemFilter } from './common/filters/problem.filter';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';
import { ManagementModule } from './management/management.module';
import { loggerOptions } from './observability/logger.options';
import { ObservabilityModule } from './observability/observability.module';
import type { Tracing } from './observability/tracing/start-tracing';
import { RedisModule } from './redis/redis.module';
import { WalletModule } from './wallet/wallet.module';

@Module({})
export class AppModule implements OnApplicationShutdown {
  /**
   * Nest runs the root module's hooks last, after the server and Redis are closed; logged here and
   * not from process 'exit', where pino may already have ended its stream.
   */
  onApplicationShutdown(signal?: string): void {
    if (signal !== undefined) new Logger('Shutdown').log({ signal }, 'shutdown complete');
  }

  static forRoot(config: AppConfig, tracing: Tracing | null = null): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerOptions(config)),
        ObservabilityModule.forRoot(tracing),
        RedisModule,
        HealthModule,
        ManagementModule,
        WalletModule,
        CardsModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemFilter }],
    };
  }
}
