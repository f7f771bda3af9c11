/**
 * The per-member rate limit (RATE_LIMIT_PER_MINUTE=5 here), kept in Redis: a member over it gets
 * 429 without KONA hearing of the request, other members are unaffected, and replicas sharing a
 * Redis share the count.
 */
import { randomInt } from 'node:crypto';
import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import type { RunningGateway } from '../support/gateway';
import { gatewayEnv, startGateway } from '../support/gateway';
import { expectProblem, register, updateLimits, type Answer } from '../api/mobile-api';

const LIMIT = 5;

/**
 * A member no other suite of the run has used: the rate counters live in the run's one Redis, and
 * newMember() repeats its ids in every file a jest worker runs (same pid, counter reset per file).
 */
function newMember(): string {
  return String(6_000_000_000_000_000 + randomInt(2 ** 47));
}

let sandbox: RunningSandbox;
let gateway: RunningGateway;
let replica: RunningGateway;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
  const env = gatewayEnv(sandbox.url, { RATE_LIMIT_PER_MINUTE: String(LIMIT) });
  // Two instances of the gateway on the one Redis of the e2e run, as two replicas would be.
  [gateway, replica] = await Promise.all([startGateway(env), startGateway(env)]);
});

afterAll(async () => {
  await gateway?.close();
  await replica?.close();
  await sandbox?.close();
});

function rateHeaders(answer: Answer): { limit: string | null; remaining: string | null } {
  return {
    limit: answer.headers.get('ratelimit-limit'),
    remaining: answer.headers.get('ratelimit-remaining'),
  };
}

/** 429 RATE_LIMITED with a Retry-After within the one-minute window and nothing left. */
function expectRateLimited(answer: Answer): void {
  expectProblem(answer, 429, 'RATE_LIMITED');
  const retryAfter = Number(answer.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(rateHeaders(answer)).toEqual({ limit: String(LIMIT), remaining: '0' });
  const reset = Number(answer.headers.get('ratelimit-reset'));
  expect(reset).toBeGreaterThanOrEqual(1);
  expect(reset).toBeLessThanOrEqual(60);
}

describe('the per-member rate limit', () => {
  it('counts down RateLimit-Remaining on each successful answer', async () => {
    const member = newMember();
    const remaining: (string | null)[] = [];

    for (let i = 0; i < LIMIT; i++) {
      const answer = await register(gateway, member);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('ratelimit-limit')).toBe(String(LIMIT));
      remaining.push(answer.headers.get('ratelimit-remaining'));
    }

    expect(remaining).toEqual(['4', '3', '2', '1', '0']);
  });

  it('answers the 6th request of a minute 429 RATE_LIMITED, and KONA never hears of it', async () => {
    const member = newMember();
    for (let i = 0; i < LIMIT; i++) expect((await updateLimits(gateway, member)).status).toBe(200);
    expect(sandbox.calls.list({ userId: member })).toHaveLength(LIMIT);

    const sixth = await updateLimits(gateway, member);

    expectRateLimited(sixth);
    expect(sandbox.calls.list({ userId: member })).toHaveLength(LIMIT);
  });

  it('still replays an answer to a member at the limit: replays are not counted', async () => {
    const member = newMember();
    const key = `replay-at-limit-${member}`;
    const first = await updateLimits(gateway, member, { key });
    for (let i = 1; i < LIMIT; i++) expect((await updateLimits(gateway, member)).status).toBe(200);

    const retry = await updateLimits(gateway, member, { key });
    const fresh = await updateLimits(gateway, member);

    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.text).toBe(first.text);
    expectRateLimited(fresh);
  });

  it('counts both mutating routes against one budget per member', async () => {
    const member = newMember();
    for (let i = 0; i < 3; i++) expect((await register(gateway, member)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await updateLimits(gateway, member)).status).toBe(200);

    expectRateLimited(await register(gateway, member));
    expectRateLimited(await updateLimits(gateway, member));
    expect(sandbox.calls.list({ userId: member })).toHaveLength(LIMIT);
  });

  it('leaves other members unaffected while one is limited', async () => {
    const greedy = newMember();
    const other = newMember();
    for (let i = 0; i < LIMIT; i++) await register(gateway, greedy);
    expectRateLimited(await register(gateway, greedy));

    const answer = await register(gateway, other);

    expect(answer.status).toBe(200);
    expect(rateHeaders(answer)).toEqual({ limit: String(LIMIT), remaining: String(LIMIT - 1) });
    expect(sandbox.calls.list({ userId: other })).toHaveLength(1);
  });

  it('holds across two gateway instances sharing Redis: 3 + 3 requests, the 6th is refused', async () => {
    const member = newMember();
    const answers: Answer[] = [];

    for (let i = 0; i < 3; i++) {
      answers.push(await register(gateway, member));
      answers.push(await register(replica, member));
    }

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(answers.slice(0, LIMIT).map((answer) => rateHeaders(answer).remaining)).toEqual([
      '4',
      '3',
      '2',
      '1',
      '0',
    ]);
    expectRateLimited(answers[LIMIT]);
    expect(sandbox.calls.list({ userId: member })).toHaveLength(LIMIT);
  });
});
