import type { CallLog } from './call-log';
import type { CardBook } from './cards';
import type { FaultTable } from './faults';
import type { SandboxCrypto } from './sandbox-crypto';
import type { TransportStats } from './transport-stats';
import type { VerifyConfig } from './verify-request';

/** Resolved settings of a running sandbox. */
export interface SandboxConfig extends VerifyConfig {
  /** Delay added to every KONA answer. */
  latencyMs: number;
  /** When true, nothing is printed. */
  quiet: boolean;
  /** Clock used for the skew check (ms since epoch). */
  now: () => number;
}

/** What the request handlers share: settings, state, and timers that close() can cancel. */
export interface SandboxContext {
  config: SandboxConfig;
  calls: CallLog;
  /** Connections, TLS handshakes and KONA calls per transport. */
  transport: TransportStats;
  faults: FaultTable;
  /** Suspensions and limit updates, per member and PAR. */
  cards: CardBook;
  /** Message encryption (JWE), or null when the sandbox has no keys: everything is plaintext. */
  crypto: SandboxCrypto | null;
  /** Runs `fn` after `ms` (at once when 0); cancelled if the sandbox closes first. */
  later(ms: number, fn: () => void): void;
  /** Prints one diagnostic line to stderr unless quiet. */
  warn(message: string): void;
}
