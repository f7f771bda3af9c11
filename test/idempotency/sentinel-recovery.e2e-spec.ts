import { recordKey } from '../../src/idempotency/record-keys';
import type { MemberId } from '../../src/members/member-id';
import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import type { RunningGateway } from '../support/gateway';
import { newKey, newMember, startGateway, tokenFor } from '../support/gateway';
import { ask, RedisSentinelTopology } from '../support/redis-sentinel';
import type { Caller, TimedAnswer } from './failover-traffic';
import { sentinelGatewayEnv } from './failover-traffic';
import { timedPut } from './failover-traffic';
import { konaCalls } from './idempotent-calls';
import { waitFor } from './wait';

/**
 * The two ways a primary moves without closing the gateway's connection to it, which a crash
 * (sentinel.e2e-spec.ts) does not exercise: it is demoted in place (writes get READONLY), or it
 * hangs (the socket stays open and silent). Each time the gateway must fail closed (503, no KONA
 * call) and find the new primary by itself: src/redis/redis-client.factory.ts, sentinelFailover.
 */
describe('the gateway on Sentinel when its primary moves without closing the connection', () => {
  let topology: RedisSentinelTopology;
  let sandbox: RunningSandbox;
  let gateway: RunningGateway;
  let who: Caller;

  beforeAll(async () => {
    topology = await RedisSentinelTopology.start();
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
    gateway = await startGateway(sentinelGatewayEnv(sandbox.url, topology));
    const member = newMember();
    who = { member, token: await tokenFor(member) };
  }, 30_000);

  afterAll(async () => {
    await gateway?.close();
    await sandbox?.close();
    await topology?.stop();
  });

  /** Fresh keys until one succeeds; every answer before it must be a 503 STORE_UNAVAILABLE. */
  async function untilServed(timeoutMs: number): Promise<{ refused: TimedAnswer[]; at: number }> {
    const refused: TimedAnswer[] = [];
    const served = await waitFor(
      'a fresh key to succeed',
      async () => {
        const answer = await timedPut(gateway, who, newKey());
        if (answer.status !== 200) refused.push(answer);
        return answer.status === 200 && answer;
      },
      { timeoutMs, intervalMs: 100 },
    );
    const record = recordKey({ memberId: who.member as MemberId, key: served.key });
    expect(await ask(await topology.primaryPort(), 'EXISTS', record)).toBe(1);
    return { refused, at: served.endedAt };
  }

  const problem = (a: TimedAnswer) => `${a.status} ${a.code} ${a.contentType?.split(';')[0]}`;
  const STORE_UNAVAILABLE = '503 STORE_UNAVAILABLE application/problem+json';

  it('answers 503, not 500, when its primary is demoted in place (READONLY), and moves on', async () => {
    expect((await timedPut(gateway, who, newKey())).status).toBe(200);
    const callsBefore = konaCalls(sandbox, who.member).length;

    // REPLICAOF by hand: the gateway's connection to the old primary stays open.
    await topology.switchoverByHand();
    const refused = await timedPut(gateway, who, newKey());
    const { refused: more } = await untilServed(5000);

    expect(problem(refused)).toBe(STORE_UNAVAILABLE);
    expect(more.map(problem).filter((p) => p !== STORE_UNAVAILABLE)).toEqual([]);
    // Only the request that succeeded reached KONA.
    expect(konaCalls(sandbox, who.member)).toHaveLength(callsBefore + 1);
  });

  it('follows a failover away from a hung primary, even when a sentinel it asks hangs too', async () => {
    expect((await timedPut(gateway, who, newKey())).status).toBe(200);
    const callsBefore = konaCalls(sandbox, who.member).length;
    // ioredis asks the sentinels in order and, once connected, starts again from the one that
    // answered: the first, which is the one to hang.
    const [sentinel] = topology.sentinelPorts;
    topology.pause(sentinel);
    const hung = await topology.pausePrimary();
    const hungAt = Date.now();
    try {
      const during = await timedPut(gateway, who, newKey());
      const failover = await topology.waitForFailover(15_000);
      const { refused, at } = await untilServed(10_000);
      console.log(
        `Sentinel failover from a hung primary: announced ${failover.announcedAt - hungAt} ms, ` +
          `first success ${at - hungAt} ms`,
      );

      // Fail closed within the command timeout while the primary hangs, never a 500.
      expect(problem(during)).toBe(STORE_UNAVAILABLE);
      expect(during.endedAt - during.startedAt).toBeLessThan(2500);
      expect(refused.map(problem).filter((p) => p !== STORE_UNAVAILABLE)).toEqual([]);
      // Served by the new primary while the old one still hangs, within the failover's own time
      // plus the time to give up on the hung sentinel and a few seconds.
      const bound = topology.downAfterMs + topology.failoverTimeoutMs + 5000;
      expect(at - hungAt).toBeLessThanOrEqual(bound);
      expect(konaCalls(sandbox, who.member)).toHaveLength(callsBefore + 1);
    } finally {
      topology.resume(hung);
      topology.resume(sentinel);
    }
  }, 40_000);
});
