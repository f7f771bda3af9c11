/** Failure modes the sandbox can put on KONA calls. */
export const FAULT_MODES = [
  'latency',
  'hang',
  'drip',
  '5xx',
  'malformed',
  'reset',
  'garble',
] as const;

/** One of {@link FAULT_MODES}. */
export type FaultMode = (typeof FAULT_MODES)[number];

/** A fault to apply, as posted to `POST /__sandbox/faults` or passed to `setFault`. */
export interface FaultSpec {
  mode: FaultMode;
  /** Decimal digits: only this member's calls are hit. Absent: every call is. */
  userId?: string;
  /** `latency`: extra delay; `drip`: time to send the whole body. Default 1000. */
  latencyMs?: number;
  /** How many calls the fault hits before it expires. Absent: until cleared. */
  times?: number;
  /** `5xx`: HTTP status to answer, 400..599. Default 503. */
  status?: number;
}

/** A fault picked for one call, defaults filled in. */
export interface AppliedFault {
  mode: FaultMode;
  latencyMs: number;
  status: number;
}

/** A fault spec that was refused, with the reason. */
export class FaultSpecError extends Error {}

const DEFAULT_LATENCY_MS = 1000;
const DEFAULT_STATUS = 503;
const MAX_LATENCY_MS = 600_000;
const GLOBAL = '*';

/**
 * Validates an untrusted fault spec (from the admin API). Fields that mean nothing for the mode are
 * refused rather than ignored, so a typo in a soak script fails at once instead of silently testing
 * nothing.
 */
export function parseFaultSpec(input: unknown): FaultSpec {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new FaultSpecError('fault must be a JSON object');
  }
  const raw = input as Record<string, unknown>;
  const known = ['mode', 'userId', 'latencyMs', 'times', 'status'];
  const unknown = Object.keys(raw).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw new FaultSpecError(`unknown field(s): ${unknown.join(', ')}`);

  const mode = raw.mode;
  if (typeof mode !== 'string' || !(FAULT_MODES as readonly string[]).includes(mode)) {
    throw new FaultSpecError(`mode must be one of ${FAULT_MODES.join(', ')}`);
  }
  const spec: FaultSpec = { mode: mode as FaultMode };

  if (raw.userId !== undefined) {
    if (typeof raw.userId !== 'string' || !/^[1-9][0-9]{0,19}$/.test(raw.userId)) {
      throw new FaultSpecError('userId must be a string of decimal digits');
    }
    spec.userId = raw.userId;
  }
  if (raw.latencyMs !== undefined) {
    if (mode !== 'latency' && mode !== 'drip') {
      throw new FaultSpecError('latencyMs applies to the latency and drip modes only');
    }
    spec.latencyMs = integerIn(raw.latencyMs, 'latencyMs', 0, MAX_LATENCY_MS);
  }
  if (raw.times !== undefined) {
    spec.times = integerIn(raw.times, 'times', 1, Number.MAX_SAFE_INTEGER);
  }
  if (raw.status !== undefined) {
    if (mode !== '5xx') throw new FaultSpecError('status applies to the 5xx mode only');
    spec.status = integerIn(raw.status, 'status', 400, 599);
  }
  return spec;
}

/**
 * The active faults: at most one per scope (one global, one per member); setting a scope again
 * replaces its fault. A member's own fault wins over the global one.
 */
export class FaultTable {
  private readonly byScope = new Map<string, FaultSpec & { remaining: number }>();

  /** Activates a fault (validated first), replacing any fault of the same scope. */
  set(spec: FaultSpec): void {
    const valid = parseFaultSpec(spec);
    this.byScope.set(valid.userId ?? GLOBAL, { ...valid, remaining: valid.times ?? Infinity });
  }

  /** Removes every fault. */
  clear(): void {
    this.byScope.clear();
  }

  /** The active faults, for the admin API. */
  list(): FaultSpec[] {
    return [...this.byScope.values()].map(({ remaining, ...spec }) =>
      spec.times === undefined ? spec : { ...spec, times: remaining },
    );
  }

  /**
   * The fault to apply to a call of this member (null id: only a global fault), counting one use
   * down and expiring the fault when its uses are spent.
   */
  take(userId: string | null): AppliedFault | undefined {
    const scope = userId !== null && this.byScope.has(userId) ? userId : GLOBAL;
    const fault = this.byScope.get(scope);
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.byScope.delete(scope);
    return {
      mode: fault.mode,
      latencyMs: fault.latencyMs ?? DEFAULT_LATENCY_MS,
      status: fault.status ?? DEFAULT_STATUS,
    };
  }
}

function integerIn(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new FaultSpecError(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}
