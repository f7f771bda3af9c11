import type { DynamicModule } from '@nestjs/common';
import { Global, Module } from '@nestjs/common';
import type { AppConfig } from './app-config';
import { APP_CONFIG } from './app-config';

/** Makes the already-validated {@link AppConfig} injectable everywhere under {@link APP_CONFIG}. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
