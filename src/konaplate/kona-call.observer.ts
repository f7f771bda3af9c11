/** What the client reports about each KONA exchange (metrics implement it). */
export interface KonaCallRecord {
  operation: string;
  /** `success`, a KONA code such as `001_006`, or a failure kind: `timeout`, `refused`, `http_503`, ... */
  outcome: string;
  durationMs: number;
}

export type CircuitStateName = 'closed' | 'open' | 'half-open';

export abstract class KonaCallObserver {
  abstract record(call: KonaCallRecord): void;
  abstract circuitState(operation: string, state: CircuitStateName): void;
}
