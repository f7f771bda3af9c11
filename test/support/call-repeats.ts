import { KONA_OPERATIONS } from '../../src/konaplate/operations/kona-operations';
import type { CallLogEntry } from '../sandbox/call-log';

/**
 * The one rule of the README's idempotency section, checked from the sandbox's call log: a KONA
 * transaction (member and correlation id) reaches KONA again only after an unknown outcome. Shared
 * by the e2e tests and, compiled by tsconfig.sandbox.json, by scripts/soak.js.
 */

/** Faults whose call cannot have a known outcome for the gateway. */
const UNKNOWN_OUTCOME_FAULTS: ReadonlySet<string> = new Set([
  'hang',
  'reset',
  'malformed',
  'drip',
  '5xx',
]);

/** The KONA codes each operation maps (its descriptor): their answers are final. */
const MAPPED_CODES = new Map(
  KONA_OPERATIONS.map((op) => [op.path, new Set(['000_000', ...Object.keys(op.codes)])]),
);

/** The mapped codes of the operation a logged path names (it may carry an /open-api prefix). */
function mappedCodesOf(path: string): ReadonlySet<string> {
  const found = [...MAPPED_CODES].find(([opPath]) => path.endsWith(opPath));
  if (!found) throw new Error(`KONA was called on ${path}, which no operation names`);
  return found[1];
}

/**
 * Whether the gateway does not take this call's answer as final (no answer, a 5xx, a fault that
 * garbles or cuts the answer, or a code the route does not map, which the README says is not
 * remembered): only then may the same correlation id reach KONA again.
 */
export function unknownOutcome(call: CallLogEntry): boolean {
  return (
    (call.fault !== undefined && UNKNOWN_OUTCOME_FAULTS.has(call.fault)) ||
    call.httpStatus === undefined ||
    call.httpStatus >= 500 ||
    (call.answeredCode !== undefined && !mappedCodesOf(call.path).has(call.answeredCode))
  );
}

export interface RepeatCheck {
  /** Distinct (member, correlation id) pairs seen. */
  transactions: number;
  /** How many of them reached KONA more than once. */
  repeated: number;
  /** Those that reached KONA again after a final answer: each one's calls, oldest first. */
  afterFinal: CallLogEntry[][];
}

/** Groups the calls by member and correlation id and finds repeats after a final answer. */
export function repeatsAfterFinalAnswer(calls: Iterable<CallLogEntry>): RepeatCheck {
  const groups = new Map<string, CallLogEntry[]>();
  for (const call of [...calls].sort((a, b) => a.seq - b.seq)) {
    const id = `${call.userId}|${call.correlationId}`;
    const group = groups.get(id) ?? [];
    group.push(call);
    groups.set(id, group);
  }
  const repeats = [...groups.values()].filter((group) => group.length > 1);
  return {
    transactions: groups.size,
    repeated: repeats.length,
    afterFinal: repeats.filter((group) => group.slice(0, -1).some((call) => !unknownOutcome(call))),
  };
}

/** One line per call of a group, for a failure message. */
export function describeCalls(group: CallLogEntry[]): string {
  return group
    .map(
      (c) => `#${c.seq} ${c.fault ?? '-'} ${c.httpStatus ?? 'no answer'} ${c.answeredCode ?? ''}`,
    )
    .join('; ');
}
