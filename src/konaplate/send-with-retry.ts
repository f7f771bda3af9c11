import { setTimeout as sleep } from 'node:timers/promises';
import type { KonaHttpRequest, KonaHttpResponse } from './kona-transport';
import { type KonaTransport, TransportFailure } from './kona-transport';

/** Smallest slice of the deadline worth a second attempt. */
const MIN_RETRY_BUDGET_MS = 100;

/**
 * Sends once, and once more only where KONA cannot have acted: the connection was refused, or a
 * reused keep-alive socket died before any byte of the answer. Never after a timeout: that outcome
 * is unknown and belongs to the idempotency layer. Both attempts share one deadline.
 */
export async function sendWithRetry(
  transport: KonaTransport,
  request: Omit<KonaHttpRequest, 'timeoutMs'>,
  deadline: number,
): Promise<KonaHttpResponse> {
  try {
    return await transport.post({ ...request, timeoutMs: remaining(deadline) });
  } catch (error) {
    if (!(error instanceof TransportFailure) || !retryable(error)) throw error;
    const jitterMs = 10 + Math.random() * 40;
    if (remaining(deadline) - jitterMs < MIN_RETRY_BUDGET_MS) throw error;
    await sleep(jitterMs);
    return transport.post({ ...request, timeoutMs: remaining(deadline) });
  }
}

function retryable(failure: TransportFailure): boolean {
  return failure.kind === 'refused' || failure.staleSocket;
}

function remaining(deadline: number): number {
  return Math.max(1, deadline - Date.now());
}
