import { HttpModule, HttpService } from '@nestjs/axios';
import type { OnApplicationShutdown } from '@nestjs/common';
import { Module } from '@nestjs/common';
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config';
import { AxiosKonaTransport } from './axios-kona.transport';
import { KonaTransport } from './kona-transport';
import { KonaplateClient } from './konaplate.client';
import { KonaMessageCrypto } from './message-crypto';
import { MESSAGE_CRYPTO } from './message-crypto.port';
import { TracingKonaTransport } from './tracing-kona.transport';
import { UpstreamBreakers } from './upstream-breakers';
import { WriteTrackingHttpAgent, WriteTrackingHttpsAgent } from './write-tracking-agent';

/**
 * Idle keep-alive sockets are dropped after 4 s (`timeout`; Node lowers it further to a server's
 * `Keep-Alive: timeout=N` hint minus 1 s): shorter than the 5 s idle timeout common to upstream
 * servers and load balancers, so the agent does not write a request onto a socket the far end is
 * closing. That is what prevents the stale-socket race in practice: such a request counts as
 * written (nobody can tell whether KONA read it), so it is not retried and the app is told the
 * outcome is unknown.
 */
const agentOptions = { keepAlive: true, keepAliveMsecs: 1000, maxSockets: 256, timeout: 4000 };

@Module({
  imports: [
    HttpModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        baseURL: config.konaplate.baseUrl,
        // The agents record which bytes of each request reached a socket: what decides a retry.
        httpAgent: new WriteTrackingHttpAgent(agentOptions),
        httpsAgent: new WriteTrackingHttpsAgent(agentOptions),
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
