import { Redis } from 'ioredis';
import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import type { RunningGateway } from '../support/gateway';
import {
  callGateway,
  gatewayEnv,
  newKey,
  newMember,
  startGateway,
  tokenFor,
} from '../support/gateway';
import { RedisServer } from '../support/redis-server';
import { konaCalls, LIMITS, putLimits } from './idempotent-calls';
import { waitFor } from './wait';

/** Behaviour 8 of the idempotency issue: the gateway fails closed without Redis and heals itself. */
describe('the gateway when its Redis goes away', () => {
  let redis: RedisServer;
  let sandbox: RunningSandbox;
  let gateway: RunningGateway;

  beforeAll(async () => {
    redis = await RedisServer.start();
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
    gateway = await startGateway(
      gatewayEnv(sandbox.url, { REDIS_URL: redis.url, KONAPLATE_TIMEOUT_MS: '1000' }),
    );
  });

  afterAll(async () => {
    await gateway?.close();
    await sandbox?.close();
    await redis?.stop();
  });

  let redisDown = false;
  const killRedis = async () => {
    redisDown = true;
    await redis.kill();
  };
  const restartRedis = async () => {
    await redis.restart();
    redisDown = false;
  };

  /** Brings Redis back if a test left it down, and waits until the gateway sees it again. */
  async function ensureRedisUp(): Promise<void> {
    if (redisDown) await restartRedis();
    await waitFor('readiness to come back', () => ready().then((r) => r.status === 200), {
      timeoutMs: 10_000,
      intervalMs: 100,
    });
  }

  afterEach(async () => {
    sandbox.clearFaults();
    await ensureRedisUp();
  });

  const ready = () => fetch(`${gateway.url}/health/ready`);
  const live = () => fetch(`${gateway.url}/health/live`);

  it('answers 503 STORE_UNAVAILABLE at once, without calling KONA, and recovers by itself', async () => {
    const member = newMember();
    const token = await tokenFor(member);
    expect((await putLimits(gateway, token, newKey())).status).toBe(200);
    await killRedis();

    const started = Date.now();
    const refused = await putLimits(gateway, token, newKey());
    const elapsed = Date.now() - started;
    const readiness = await ready();
    const liveness = await live();

    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('STORE_UNAVAILABLE');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(elapsed).toBeLessThan(2500);
    expect(konaCalls(sandbox, member)).toHaveLength(1);
    expect(readiness.status).toBe(503);
    expect(liveness.status).toBe(200);

    await restartRedis();
    const key = newKey();
    const recovered = await waitFor(
      'a request to succeed again',
      async () => {
        const answer = await putLimits(gateway, token, key);
        return answer.status === 200 && answer;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );

    expect(recovered.headers.get('idempotent-replayed')).toBeNull();
    expect(konaCalls(sandbox, member)).toHaveLength(2);
    expect((await ready()).status).toBe(200);
  });

  it('answers 503 within about 2 s when Redis hangs (command timeout), without calling KONA', async () => {
    const member = newMember();
    const token = await tokenFor(member);
    const pid = await redisPid(redis.url);
    process.kill(pid, 'SIGSTOP');
    try {
      const started = Date.now();
      const refused = await putLimits(gateway, token, newKey());
      const elapsed = Date.now() - started;
      const readiness = await ready();

      expect(refused.status).toBe(503);
      expect(refused.body.code).toBe('STORE_UNAVAILABLE');
      expect(elapsed).toBeLessThan(2500);
      expect(readiness.status).toBe(503);
      expect(konaCalls(sandbox, member)).toHaveLength(0);
    } finally {
      process.kill(pid, 'SIGCONT');
    }

    const answer = await waitFor(
      'a request to succeed again',
      async () => {
        const attempt = await putLimits(gateway, token, newKey());
        return attempt.status === 200 && attempt;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(answer.status).toBe(200);
  });

  it("still returns KONA's answer when storing it fails, and counts the failure", async () => {
    const member = newMember();
    const token = await tokenFor(member);
    sandbox.setFault({ mode: 'latency', userId: member, latencyMs: 500 });
    const pending = callGateway(gateway, 'PUT', `/v1/me/cards/${'C'.repeat(27)}/limits`, {
      token,
      key: newKey(),
      body: LIMITS,
    });
    const [call] = await waitFor('the call to reach KONA', () => {
      const calls = konaCalls(sandbox, member);
      return calls.length > 0 && calls;
    });
    await killRedis();

    const answer = await pending;

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ limits: LIMITS });
    expect(answer.headers.get('x-correlation-id')).toBe(call.correlationId);
    const metrics = await fetch(`${gateway.managementUrl}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^idempotency_outcomes_total\{outcome="complete_failed"\} 1$/m);
  });
});

/** The pid of the redis-server behind `url`, as it reports it. */
async function redisPid(url: string): Promise<number> {
  const client = new Redis(url);
  try {
    const info = await client.info('server');
    return Number(/^process_id:(\d+)/m.exec(info)![1]);
  } finally {
    client.disconnect();
  }
}
