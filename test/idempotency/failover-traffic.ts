import type { RunningGateway } from '../support/gateway';
import { gatewayEnv, newKey } from '../support/gateway';
import type { RedisSentinelTopology } from '../support/redis-sentinel';
import { putLimits } from './idempotent-calls';
import { sleep } from './wait';

/** One answer with when its request went out and came back (Date.now() ms). */
export interface TimedAnswer {
  key: string;
  member: string;
  /** 1 for a key's first request, 2… for the app's retries with the same key. */
  attempt: number;
  startedAt: number;
  endedAt: number;
  status: number;
  code: string | undefined;
  contentType: string | null;
  correlationId: string | null;
  replayed: boolean;
  text: string;
}

export interface Caller {
  member: string;
  token: string;
}

/** PUT limits, timed. */
export async function timedPut(
  gateway: RunningGateway,
  caller: Caller,
  key: string,
  attempt = 1,
): Promise<TimedAnswer> {
  const startedAt = Date.now();
  const answer = await putLimits(gateway, caller.token, key);
  return {
    key,
    member: caller.member,
    attempt,
    startedAt,
    endedAt: Date.now(),
    status: answer.status,
    code: typeof answer.body.code === 'string' ? answer.body.code : undefined,
    contentType: answer.headers.get('content-type'),
    correlationId: answer.headers.get('x-correlation-id'),
    replayed: answer.headers.get('idempotent-replayed') === 'true',
    text: answer.text,
  };
}

/** What the app may retry with the same key: nothing final came back. */
const retryable = (answer: TimedAnswer) => answer.status === 409 || answer.status >= 500;

/**
 * Steady traffic: one loop per caller sends PUT limits with a new key each time; a key that got
 * no final answer (409, 5xx) is retried with the same key after 100 ms, as the app does. Runs
 * until stop(), which waits for the requests in flight.
 */
export function startFreshKeyLoad(gateway: RunningGateway, callers: Caller[]) {
  const answers: TimedAnswer[] = [];
  let running = true;
  const loop = async (caller: Caller) => {
    while (running) {
      const key = newKey();
      for (let attempt = 1; running; attempt += 1) {
        const answer = await timedPut(gateway, caller, key, attempt);
        answers.push(answer);
        if (!retryable(answer)) break;
        await sleep(100);
      }
    }
  };
  const loops = Promise.all(callers.map(loop));
  return {
    answers,
    async stop(): Promise<void> {
      running = false;
      await loops;
    },
  };
}

/** The answers the README documents for a mutating route while its store fails over. */
const DOCUMENTED = new Set([
  '200',
  '409 IDEMPOTENCY_KEY_IN_USE',
  '503 STORE_UNAVAILABLE',
  '503 UPSTREAM_UNAVAILABLE',
  '502 UPSTREAM_ERROR',
  '504 UPSTREAM_TIMEOUT',
]);

/** Answers outside that list, or problems that are not application/problem+json. */
export function undocumented(answers: TimedAnswer[]): string[] {
  return answers
    .filter((a) => {
      const label = a.status === 200 ? '200' : `${a.status} ${a.code}`;
      const problemJson = a.contentType?.startsWith('application/problem+json') ?? false;
      return !DOCUMENTED.has(label) || (a.status !== 200 && !problemJson);
    })
    .map((a) => `${a.status} ${a.contentType} ${a.text.slice(0, 200)}`);
}

/**
 * Checks that each key reached KONA under at most one correlation id, and that every KONA
 * transaction in `correlationIds` (from the call log) was answered to exactly one key, so the
 * call log's per-transaction check covers every key. Returns what is wrong.
 */
export function keysVersusTransactions(answers: TimedAnswer[], correlationIds: string[]): string[] {
  const problems: string[] = [];
  const keyOf = new Map<string, string>();
  const idsOf = new Map<string, Set<string>>();
  for (const answer of answers) {
    if (!answer.correlationId) continue;
    const ids = idsOf.get(answer.key) ?? new Set<string>();
    ids.add(answer.correlationId);
    idsOf.set(answer.key, ids);
    const owner = keyOf.get(answer.correlationId);
    if (owner !== undefined && owner !== answer.key)
      problems.push(
        `correlation id ${answer.correlationId} answered to keys ${owner} and ${answer.key}`,
      );
    keyOf.set(answer.correlationId, answer.key);
  }
  for (const [key, ids] of idsOf) {
    if (ids.size > 1) problems.push(`key ${key} reached KONA as ${[...ids].join(' and ')}`);
  }
  for (const id of new Set(correlationIds)) {
    if (!keyOf.has(id)) problems.push(`KONA saw ${id}, which no answer carried`);
  }
  return problems;
}

/** A gateway's environment on the Sentinel topology (its KONA timeout short, as failovers are). */
export function sentinelGatewayEnv(
  sandboxUrl: string,
  topology: RedisSentinelTopology,
  extra: Record<string, string> = {},
): Record<string, string | undefined> {
  return gatewayEnv(sandboxUrl, {
    REDIS_URL: undefined,
    REDIS_SENTINELS: topology.sentinels,
    REDIS_SENTINEL_NAME: topology.name,
    KONAPLATE_TIMEOUT_MS: '1000',
    ...extra,
  });
}
