import { setTimeout as sleep } from 'node:timers/promises';
import type { KonaHttpRequest, KonaHttpResponse } from './kona-transport';
import { type KonaTransport, TransportFailure } from './kona-transport';

/** Smallest slice of the deadline worth a second attempt. */
const MIN_RETRY_BUDGET_MS = 100;

/** Why a request was sent again: the connection was refused, or no byte of it was written. */
export type TransportRetryReason = 'refused' | 'unsent';

/** Told of each automatic retry, before it is sent (metrics and the log line). */
export type OnTransportRetry = (reason: TransportRetryReason, failure: TransportFailure) => void;

/**
 * Sends once, and once more only where KONA cannot have received the request: the connection
 * was refused, or the socket failed before any byte of the request was handed to it. Never after
 * a timeout, nor after any failure where the request may have left (a reset after KONA read it
 * included): that outcome is unknown and belongs to the idempotency layer. Both attempts share
 * one deadline.
 */
export async function sendWithRetry(
  transport: KonaTransport,
  request: Omit<KonaHttpRequest, 'timeoutMs'>,
  deadline: number,
  onRetry?: OnTransportRetry,
): Promise<KonaHttpResponse> {
  try {
    return await transport.post({ ...request, timeoutMs: remaining(deadline) });
  } catch (error) {
    if (!(error instanceof TransportFailure)) throw error;
    const reason = retryReason(error);
    if (reason === undefined) throw error;
    const jitterMs = 10 + Math.random() * 40;
    if (remaining(deadline) - jitterMs < MIN_RETRY_BUDGET_MS) throw error;
    onRetry?.(reason, error);
    await sleep(jitterMs);
    return transport.post({ ...request, timeoutMs: remaining(deadline) });
  }
}

/** The retry decision, on the TransportFailure contract alone (kona-transport.ts). */
export function retryReason(failure: TransportFailure): TransportRetryReason | undefined {
  if (failure.kind === 'refused') return 'refused';
  // A timeout spent the deadline (and an aborted request may have been written anyway).
  if (failure.kind === 'timeout' || failure.requestWritten) return undefined;
  return 'unsent';
}

function remaining(deadline: number): number {
  return Math.max(1, deadline - Date.now());
}
