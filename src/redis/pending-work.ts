import { Injectable } from '@nestjs/common';

/**
 * Writes to Redis still under way in the background (an answer being stored after a stall). The
 * Redis module waits for them, within a bound, before it closes the connection at shutdown.
 */
@Injectable()
export class PendingRedisWork {
  private readonly jobs = new Set<Promise<unknown>>();

  track(job: Promise<unknown>): void {
    const settled = job.then(
      () => undefined,
      () => undefined,
    );
    this.jobs.add(settled);
    void settled.then(() => this.jobs.delete(settled));
  }

  /** Resolves when every job has settled or after `timeoutMs`, with how many were left. */
  async settle(timeoutMs: number): Promise<number> {
    if (this.jobs.size === 0) return 0;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.all(this.jobs), timeout]);
    clearTimeout(timer);
    return this.jobs.size;
  }
}
