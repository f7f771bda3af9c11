import type { RunningGateway } from '../support/gateway';
import { callGateway, gatewayEnv, managementOf, startGateway } from '../support/gateway';
import { RedisServer } from '../support/redis-server';
import { sleep } from './gateway-process';

/** No KONA call is made by the probes: nothing needs to listen there. */
const NO_UPSTREAM = 'http://127.0.0.1:9';

interface HealthBody {
  status?: string;
  details?: Record<string, { status?: string; store?: string; message?: string }>;
}

/** A probe on the API port, or on the management port (which tells each check's detail). */
async function probe(
  gateway: RunningGateway,
  path: '/health/live' | '/health/ready',
  port: 'api' | 'management' = 'api',
) {
  // No Authorization header: the probes are outside auth.
  const answer = await callGateway(port === 'api' ? gateway : managementOf(gateway), 'GET', path);
  return { status: answer.status, body: answer.body as HealthBody, text: answer.text };
}

/** Polls readiness until it answers `status` (Redis reconnects with a backoff of up to 2 s). */
async function readinessBecomes(
  gateway: RunningGateway,
  status: number,
  withinMs: number,
  port: 'api' | 'management' = 'api',
) {
  const deadline = Date.now() + withinMs;
  let last = await probe(gateway, '/health/ready', port);
  while (last.status !== status && Date.now() < deadline) {
    await sleep(100);
    last = await probe(gateway, '/health/ready', port);
  }
  return last;
}

describe('health probes against a real Redis', () => {
  let redis: RedisServer;
  let gateway: RunningGateway;

  beforeAll(async () => {
    redis = await RedisServer.start();
    gateway = await startGateway(gatewayEnv(NO_UPSTREAM, { REDIS_URL: redis.url }));
  });

  afterAll(async () => {
    await gateway?.close();
    await redis?.stop();
  });

  describe('while Redis answers', () => {
    it('answers /health/live 200 without a token, checking no dependency', async () => {
      const live = await probe(gateway, '/health/live');

      expect(live.status).toBe(200);
      expect(live.body.status).toBe('ok');
      expect(live.body.details).toEqual({});
    });

    it('answers /health/ready 200 without a token, with only each check’s status', async () => {
      const ready = await probe(gateway, '/health/ready');

      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('ok');
      expect(ready.body.details).toEqual({ redis: { status: 'up' }, lifecycle: { status: 'up' } });
    });

    it('answers the management port’s /health/ready 200 with each check’s detail', async () => {
      const ready = await probe(gateway, '/health/ready', 'management');

      expect(ready.status).toBe(200);
      expect(ready.body.details?.redis).toMatchObject({ status: 'up', store: 'single' });
      expect(ready.body.details?.lifecycle).toMatchObject({ status: 'up', state: 'serving' });
    });

    it('answers /health/live 200 on the management port too', async () => {
      const live = await probe(gateway, '/health/live', 'management');

      expect(live.status).toBe(200);
      expect(live.body.status).toBe('ok');
    });
  });

  describe('while Redis is down', () => {
    beforeAll(async () => {
      await redis.kill();
    });

    it('keeps /health/live at 200: a Redis outage must not restart pods', async () => {
      const live = await probe(gateway, '/health/live');

      expect(live.status).toBe(200);
      expect(live.body.details).toEqual({});
    });

    it('answers the management port’s /health/ready 503 with Redis’ own error text', async () => {
      const ready = await readinessBecomes(gateway, 503, 3000, 'management');

      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('error');
      expect(ready.body.details?.redis).toMatchObject({ status: 'down', store: 'single' });
      expect(ready.body.details?.redis?.message).toEqual(expect.stringMatching(/\w{3}/));
      expect(ready.body.details?.lifecycle).toMatchObject({ status: 'up' });
    });

    it('answers /health/ready 503 on the API port with redis down and no internal text', async () => {
      const internal = (await readinessBecomes(gateway, 503, 3000, 'management')).body.details
        ?.redis?.message;
      const ready = await readinessBecomes(gateway, 503, 3000);

      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('error');
      expect(ready.body.details).toEqual({
        redis: { status: 'down' },
        lifecycle: { status: 'up' },
      });
      expect(ready.body).toMatchObject({ error: { redis: { status: 'down' } } });
      expect(internal).toEqual(expect.any(String));
      expect(ready.text).not.toContain(internal);
      expect(ready.text).not.toMatch(/message|store|single/);
    });
  });

  describe('after Redis restarts', () => {
    beforeAll(async () => {
      await redis.restart();
    });

    it('answers /health/ready 200 again without restarting the app', async () => {
      const ready = await readinessBecomes(gateway, 200, 8000);

      expect(ready.status).toBe(200);
      expect(ready.body.details?.redis).toMatchObject({ status: 'up' });
    });
  });
});

describe('health probes with the in-process store (no REDIS_URL, NODE_ENV=test)', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startGateway(
      gatewayEnv(NO_UPSTREAM, { NODE_ENV: 'test', REDIS_URL: undefined }),
    );
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('answers /health/ready 200 with the memory store up (named on the management port)', async () => {
    const ready = await probe(gateway, '/health/ready');
    const detailed = await probe(gateway, '/health/ready', 'management');

    expect(ready.status).toBe(200);
    expect(ready.body.details?.redis).toEqual({ status: 'up' });
    expect(detailed.body.details?.redis).toMatchObject({ status: 'up', store: 'memory' });
  });

  it('answers /health/live 200', async () => {
    const live = await probe(gateway, '/health/live');

    expect(live.status).toBe(200);
  });
});
