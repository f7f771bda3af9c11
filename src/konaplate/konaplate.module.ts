import { HttpModule, HttpService } from '@nestjs/axios';
import type { OnApplicationShutdown } from '@nestjs/common';
import { Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config';
import { AxiosKonaTransport } from './axios-kona.transport';
import { konaAxiosConfig } from './kona-axios.config';
import { KonaTransport } from './kona-transport';
import { KonaplateClient } from './konaplate.client';
import { KonaMessageCrypto } from './message-crypto';
import { MESSAGE_CRYPTO } from './message-crypto.port';
import { TracingKonaTransport } from './tracing-kona.transport';
import { isUndiciAdapter } from './undici-axios.adapter';
import { UpstreamBreakers } from './upstream-breakers';

@Module({
  imports: [
    HttpModule.registerAsync({
      inject: [APP_CONFIG],
      // axios on undici: keep-alive pools, and whether a request was started, which decides a retry.
      useFactory: (config: AppConfig) => konaAxiosConfig(config.konaplate.baseUrl),
    }),
  ],
  providers: [
    KonaplateClient,
    UpstreamBreakers,
    AxiosKonaTransport,
    {
      provide: KonaTransport,
      inject: [APP_CONFIG, AxiosKonaTransport],
      // With tracing on, every exchange with KONA is a span (tracing-kona.transport.ts).
      useFactory: (config: AppConfig, transport: AxiosKonaTransport) =>
        config.tracing ? new TracingKonaTransport(transport, config.konaplate.baseUrl) : transport,
    },
    {
      provide: MESSAGE_CRYPTO,
      inject: [APP_CONFIG],
      // Keys are imported once, at start; without them the encrypted operations answer 503.
      useFactory: (config: AppConfig) => {
        const { encryption } = config.konaplate;
        return encryption ? KonaMessageCrypto.create(encryption) : null;
      },
    },
  ],
  exports: [KonaplateClient],
})
export class KonaplateModule implements OnApplicationShutdown {
  constructor(private readonly http: HttpService) {}

  /** Idle keep-alive sockets to KONA would otherwise hold the process open after close(). */
  async onApplicationShutdown(): Promise<void> {
    const { adapter } = this.http.axiosRef.defaults;
    if (isUndiciAdapter(adapter)) await adapter.close();
  }
}
