import type { RunningGateway } from '../support/gateway';
import { callGateway, gatewayEnv, startGateway } from '../support/gateway';
import { RedisServer } from '../support/redis-server';
import { sleep } from './gateway-process';

/** No KONA call is made by the probes: nothing needs to listen there. */
const NO_UPSTREAM = 'http://127.0.0.1:9';

interface HealthBody {
  status?: string;
  details?: Record<string, { status?: string; store?: string; message?: string }>;
}

async function probe(gateway: RunningGateway, path: '/health/live' | '/health/ready') {
  // No Authorization header: the probes are outside auth.
  const answer = await callGateway(gateway, 'GET', path);
  return { status: answer.status, body: answer.body as HealthBody };
}

/** Polls readiness until it answers `status` (Redis reconnects with a backoff of up to 2 s). */
async function readinessBecomes(gateway: RunningGateway, status: number, withinMs: number) {
  const deadline = Date.now() + withinMs;
  let last = await probe(gateway, '/health/ready');
  while (last.status !== status && Date.now() < deadline) {
    await sleep(100);
    last = await probe(gateway, '/health/ready');
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

    it('answers /health/ready 200 without a token, with the redis check up', async () => {
      const ready = await probe(gateway, '/health/ready');

      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('ok');
      expect(ready.body.details?.redis).toMatchObject({ status: 'up', store: 'single' });
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

    it('answers /health/ready 503 with redis down in the details', async () => {
      const ready = await readinessBecomes(gateway, 503, 3000);

      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('error');
      expect(ready.body.details?.redis).toMatchObject({ status: 'down', store: 'single' });
      expect(ready.body.details?.redis?.message).toEqual(expect.any(String));
      expect(ready.body.details?.lifecycle).toMatchObject({ status: 'up' });
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

  it('answers /health/ready 200 with the memory store up', async () => {
    const ready = await probe(gateway, '/health/ready');

    expect(ready.status).toBe(200);
    expect(ready.body.details?.redis).toMatchObject({ status: 'up', store: 'memory' });
  });

  it('answers /health/live 200', async () => {
    const live = await probe(gateway, '/health/live');

    expect(live.status).toBe(200);
  });
});
