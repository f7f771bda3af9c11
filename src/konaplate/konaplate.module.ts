import { HttpModule, HttpService } from '@nestjs/axios';
import type { OnApplicationShutdown } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config';
import { AxiosKonaTransport } from './axios-kona.transport';
import { KonaTransport } from './kona-transport';
import { KonaplateClient } from './konaplate.client';
import { KonaMessageCrypto } from './message-crypto';
import { MESSAGE_CRYPTO } from './message-crypto.port';
import { TracingKonaTransport } from './tracing-kona.transport';
import { UpstreamBreakers } from './upstream-breakers';

/**
 * Idle keep-alive sockets are dropped after 4 s: shorter than the 5 s idle timeout common to
 * upstream servers and load balancers, so the agent does not pick a socket the far end is
 * about to close (which would fail a request that KONA never saw).
 */
const agentOptions = { keepAlive: true, keepAliveMsecs: 1000, maxSockets: 256, timeout: 4000 };

@Module({
  imports: [
    HttpModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        baseURL: config.konaplate.baseUrl,
        httpAgent: new HttpAgent(agentOptions),
        httpsAgent: new HttpsAgent(agentOptions),
        maxContentLength: 1024 * 1024,
      }),
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
  onApplicationShutdown(): void {
    const { httpAgent, httpsAgent } = this.http.axiosRef.defaults as {
      httpAgent?: HttpAgent;
      httpsAgent?: HttpsAgent;
    };
    httpAgent?.destroy();
    httpsAgent?.destroy();
  }
}
