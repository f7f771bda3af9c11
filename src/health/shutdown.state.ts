import { Injectable, type OnModuleDestroy } from '@nestjs/common';

/**
 * Whether the gateway is draining, for what terminus does not cover: `Connection: close` on every
 * answer (a keep-alive client must not hold its socket past close()) and the readiness detail.
 * Set in `onModuleDestroy`, the first hook Nest runs on shutdown, before terminus' own
 * `beforeApplicationShutdown` turns the probes 503 and waits `gracefulShutdownTimeoutMs`.
 */
@Injectable()
export class ShutdownState implements OnModuleDestroy {
  private draining = false;

  onModuleDestroy(): void {
    this.begin();
  }

  begin(): void {
    this.draining = true;
  }

  get shuttingDown(): boolean {
    return this.draining;
  }
}
