import { recordKey } from '../../src/idempotency/record-keys';
import type { MemberId } from '../../src/members/member-id';
import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import { describeCalls, repeatsAfterFinalAnswer } from '../support/call-repeats';
import type { RunningGateway } from '../support/gateway';
import { newKey, newMember, startGateway, tokenFor } from '../support/gateway';
import { ask, RedisSentinelTopology } from '../support/redis-sentinel';
import type { Caller, TimedAnswer } from './failover-traffic';
import { sentinelGatewayEnv } from './failover-traffic';
import {
  keysVersusTransactions,
  startFreshKeyLoad,
  timedPut,
  undocumented,
} from './failover-traffic';
import { konaCalls } from './idempotent-calls';
import { sleep, waitFor } from './wait';

const BURST = 50;
/** The burst's KONA call is still running when the primary dies (it dies at the call's start). */
const BURST_KONA_MS = 500;

/**
 * The gateway on a real Sentinel deployment (REDIS_SENTINELS, REDIS_SENTINEL_NAME) whose primary is
 * SIGKILLed under traffic: it fails closed while no primary is known and follows the promoted
 * replica by itself.
 */
describe('idempotency on Redis Sentinel (a primary, two replicas, three sentinels)', () => {
  let topology: RedisSentinelTopology;
  let sandbox: RunningSandbox;
  let gateway: RunningGateway;

  beforeAll(async () => {
    topology = await RedisSentinelTopology.start();
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
    gateway = await startGateway(sentinelGatewayEnv(sandbox.url, topology));
    await waitFor(
      'the gateway to be ready on the sentinels’ primary',
      () => fetch(`${gateway.url}/health/ready`).then((r) => r.status === 200),
      { timeoutMs: 10_000, intervalMs: 100 },
    );
  }, 30_000);

  let closed = false;
  afterAll(async () => {
    if (!closed) await gateway?.close();
    await sandbox?.close();
    await topology?.stop();
  });

  const caller = async (): Promise<Caller> => {
    const member = newMember();
    return { member, token: await tokenFor(member) };
  };

  it('keeps its records on the primary the sentinels name and replays them', async () => {
    const who = await caller();
    const key = newKey();

    const first = await timedPut(gateway, who, key);
    const replay = await timedPut(gateway, who, key);

    expect(first.status).toBe(200);
    expect(replay.status).toBe(200);
    expect(replay.replayed).toBe(true);
    expect(replay.correlationId).toBe(first.correlationId);
    expect(replay.text).toBe(first.text);
    expect(konaCalls(sandbox, who.member)).toHaveLength(1);
    const record = recordKey({ memberId: who.member as MemberId, key });
    expect(await ask(await topology.primaryPort(), 'EXISTS', record)).toBe(1);
  });

  it('keeps every promise while its primary is SIGKILLed and a replica takes over', async () => {
    const callers = await Promise.all([1, 2, 3, 4].map(() => caller()));
    // Keys that succeeded before the kill, their records confirmed on both replicas.
    const earlier = await Promise.all(callers.map((who) => timedPut(gateway, who, newKey())));
    expect(earlier.map((a) => a.status)).toEqual(callers.map(() => 200));
    await topology.waitForReplication();

    const load = startFreshKeyLoad(gateway, callers);
    await waitFor(
      'traffic to flow',
      () => load.answers.filter((a) => a.status === 200).length > 20,
    );

    // Fifty requests with one key, started just before the kill: the one that claims the key is
    // still at KONA when the primary dies.
    const burstCaller = await caller();
    const burstKey = newKey();
    sandbox.setFault({ mode: 'latency', userId: burstCaller.member, latencyMs: BURST_KONA_MS });
    const burst = Promise.all(
      Array.from({ length: BURST }, () => timedPut(gateway, burstCaller, burstKey)),
    );
    await waitFor(
      'the burst to reach KONA',
      () => konaCalls(sandbox, burstCaller.member).length > 0,
    );
    await topology.killPrimary();
    const killedAt = Date.now();
    const failover = await topology.waitForFailover(15_000);
    const failedOverAt = Date.now();
    const burstAnswers = await burst;

    // Served again: the first fresh success of a request sent after the kill.
    const bound = topology.downAfterMs + topology.failoverTimeoutMs + 5000;
    const isServed = (a: TimedAnswer) => a.status === 200 && !a.replayed && a.startedAt > killedAt;
    const served = await waitFor(
      'a request sent after the kill to succeed',
      () => load.answers.find(isServed),
      { timeoutMs: bound },
    );
    // The failover detector drops the connection once more at the sentinels' announcement
    // (+switch-master), which may come after the gateway found the new primary by itself: a few
    // more 503s, one reconnect long. From a second after both, every fresh key must succeed.
    const settledAt = Math.max(served.endedAt, failover.announcedAt) + 1000;
    await sleep(settledAt + 1500 - Date.now());
    await load.stop();
    const replays = await Promise.all(
      earlier.map((answer, i) => timedPut(gateway, callers[i], answer.key)),
    );
    const calls = [...callers, burstCaller].flatMap((who) => konaCalls(sandbox, who.member));
    const answers = [...earlier, ...load.answers, ...burstAnswers, ...replays];
    console.log(
      `Sentinel failover after SIGKILL: first success ${served.endedAt - killedAt} ms, ` +
        `announced ${failover.announcedAt - killedAt} ms, new primary with a replica ` +
        `${failedOverAt - killedAt} ms (${answers.length} answers)`,
    );

    // Only documented answers, never a 500, each problem as application/problem+json.
    expect(answers.filter((a) => a.status === 500)).toEqual([]);
    expect(undocumented(answers)).toEqual([]);
    // No key reached KONA twice, unless with one correlation id after an unknown outcome.
    expect(repeatsAfterFinalAnswer(calls).afterFinal.map(describeCalls)).toEqual([]);
    expect(
      keysVersusTransactions(
        answers,
        calls.map((c) => c.correlationId!),
      ),
    ).toEqual([]);

    // The burst reached KONA exactly once: its winner claimed the key on the old primary (the call
    // was seen before the kill), and every other request of it was answered before any replica
    // was promoted, so none could claim the key afresh there, whether the claim was replicated
    // or not.
    const burstCalls = konaCalls(sandbox, burstCaller.member);
    expect(burstCalls).toHaveLength(1);
    expect(Math.max(...burstAnswers.map((a) => a.endedAt))).toBeLessThan(failover.announcedAt);
    const winners = burstAnswers.filter((a) => a.status === 200);
    expect(winners.map((a) => [a.replayed, a.correlationId])).toEqual([
      [false, burstCalls[0].correlationId],
    ]);
    const label = (a: TimedAnswer) => `${a.status} ${a.code}`;
    const refusals = burstAnswers.filter((a) => a.status !== 200).map(label);
    const expected = ['409 IDEMPOTENCY_KEY_IN_USE', '503 STORE_UNAVAILABLE'];
    expect(refusals.filter((r) => !expected.includes(r))).toEqual([]);

    // Served again within the failover's own time plus a few seconds, and for good once settled.
    expect(served.endedAt - killedAt).toBeLessThanOrEqual(bound);
    const later = load.answers.filter((a) => a.attempt === 1 && a.startedAt > settledAt);
    expect(later.length).toBeGreaterThan(5);
    expect(later.filter((a) => a.status !== 200).map(label)).toEqual([]);

    // Records replicated before the kill are replayed by the new primary, without a KONA call.
    for (const [i, replay] of replays.entries()) {
      expect([replay.status, replay.replayed, replay.correlationId]).toEqual([
        200,
        true,
        earlier[i].correlationId,
      ]);
    }
  }, 45_000);

  it('closes its subscriptions to the sentinels when it shuts down', async () => {
    // The failover detector's, one per sentinel: ioredis's QUIT leaves them open.
    expect(await topology.subscribers()).toEqual([1, 1, 1]);

    await gateway.close();
    closed = true;

    await waitFor('the sentinels to lose the gateway', async () =>
      (await topology.subscribers()).every((count) => count === 0),
    );
  });
});
