import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Tracing } from './start-tracing';

/** Injection token of the running {@link Tracing} SDK, or null when tracing is off. */
export const TRACING = Symbol('TRACING');

/**
 * Flushes the last spans when the app shuts down: Nest runs this after the server has closed, so
 * every request's span has ended by then.
 */
@Injectable()
export class TracingLifecycle implements OnApplicationShutdown {
  constructor(@Inject(TRACING) private readonly tracing: Tracing | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.tracing?.shutdown();
  }
}
