import type { TransportRetryReason } from './send-with-retry';

/** What the client reports about each KONA exchange (metrics implement it). */
export interface KonaCallRecord {
  operation: string;
  /** `success`, a KONA code such as `001_006`, or a failure kind: `timeout`, `refused`, `http_503`, ... */
  outcome: string;
  durationMs: number;
}

/** One automatic transport retry: the request is sent a second time. */
export interface KonaRetryRecord {
  operation: string;
  reason: TransportRetryReason;
}

export type CircuitStateName = 'closed' | 'open' | 'half-open';

export abstract class KonaCallObserver {
  abstract record(call: KonaCallRecord): void;
  /** Each retry is reported, so a request sent twice is never silent. */
  abstract retried(retry: KonaRetryRecord): void;
  abstract circuitState(operation: string, state: CircuitStateName): void;
}
