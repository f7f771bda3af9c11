import type { FaultMode } from './faults';

/** One KONA call as the sandbox saw it. Holds no key and no token. */
export interface CallLogEntry {
  /** 1, 2, 3… in arrival order; not reset by {@link CallLog.clear}. */
  seq: number;
  /** Arrival time, ISO 8601 UTC. */
  at: string;
  method: string;
  path: string;
  correlationId: string | null;
  /** Exact digits of `userId` when the body carried it as a JSON number, else null. */
  userId: string | null;
  /** The body as received (UTF-8): for an encrypted request, the `{"encData": ...}` envelope. */
  rawBody: string;
  /** The decrypted body, when the request was encrypted and opened. */
  decryptedBody?: string;
  /** True when the answer was encrypted for the partner (`{"encData": ...}`). */
  encryptedAnswer?: boolean;
  tranTime: string | null;
  timeZone: string | null;
  /** Whether `X-KM-Tran-Token` is well formed, agrees with Tran-Time and signs this body. */
  tokenValid: boolean;
  /** Why the call was refused, when it was. */
  rejected?: string;
  /** The fault applied to the call, when one was. */
  fault?: FaultMode;
  /** The result code answered, when the answer carried one. */
  answeredCode?: string;
  /** The HTTP status answered, when an answer was sent. */
  httpStatus?: number;
}

/** Filter of {@link CallLog.list}. */
export interface CallFilter {
  userId?: string;
}

/**
 * In-memory record of KONA calls, newest last. Bounded (oldest dropped) so a long soak run cannot
 * grow the sandbox without limit.
 */
export class CallLog {
  private entries: CallLogEntry[] = [];
  private nextSeq = 1;

  constructor(private readonly capacity = 10_000) {}

  /** Records a call and returns the live entry, which the server completes once it answers. */
  record(call: Omit<CallLogEntry, 'seq' | 'at'>): CallLogEntry {
    const entry: CallLogEntry = { seq: this.nextSeq++, at: new Date().toISOString(), ...call };
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.shift();
    return entry;
  }

  /** Copies of the recorded calls, oldest first, optionally only one member's. */
  list(filter: CallFilter = {}): CallLogEntry[] {
    return this.entries
      .filter((entry) => filter.userId === undefined || entry.userId === filter.userId)
      .map((entry) => ({ ...entry }));
  }

  /** Copy of the newest call, if any. */
  last(): CallLogEntry | undefined {
    const entry = this.entries.at(-1);
    return entry === undefined ? undefined : { ...entry };
  }

  /** Number of calls held. */
  get size(): number {
    return this.entries.length;
  }

  /** Forgets every call. */
  clear(): void {
    this.entries = [];
  }
}
