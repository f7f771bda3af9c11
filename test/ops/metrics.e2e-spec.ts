import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import type { RunningGateway } from '../support/gateway';
import {
  PAR,
  callGateway,
  gatewayEnv,
  managementOf,
  newKey,
  newMember,
  startGateway,
  tokenFor,
} from '../support/gateway';
import { RedisServer } from '../support/redis-server';

const LIMITS_PATH = `/v1/me/cards/${PAR}/limits`;
const LIMITS = { perTransaction: 100_000, daily: 500_000, monthly: 3_000_000 };
const WALLET_USER_NOT_FOUND_MEMBER = '1001006';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Samples of the Prometheus text exposition format (comments skipped). */
function parseSamples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a Prometheus sample: ${line}`);
      const labels: Record<string, string> = {};
      for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
        labels[pair[1]] = pair[2];
      }
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

/** The sum of the samples named `name` whose labels include `labels` (0 when there is none). */
function valueOf(text: string, name: string, labels: Record<string, string> = {}): number {
  return parseSamples(text)
    .filter((sample) => sample.name === name)
    .filter((sample) => Object.entries(labels).every(([key, v]) => sample.labels[key] === v))
    .reduce((sum, sample) => sum + sample.value, 0);
}

describe('GET /metrics on the management port', () => {
  let sandbox: RunningSandbox;
  let gateway: RunningGateway;

  const scrape = async () => {
    const answer = await callGateway(managementOf(gateway), 'GET', '/metrics');
    return { status: answer.status, type: answer.headers.get('content-type'), text: answer.text };
  };
  const updateLimits = async (member: string, key = newKey()) =>
    callGateway(gateway, 'PUT', LIMITS_PATH, { token: await tokenFor(member), key, body: LIMITS });

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
    gateway = await startGateway(gatewayEnv(sandbox.url));
  });

  afterAll(async () => {
    await gateway?.close();
    await sandbox?.close();
  });

  it('serves Prometheus text with the default process metrics, without a token', async () => {
    const metrics = await scrape();

    expect(metrics.status).toBe(200);
    expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.text).toContain('# TYPE process_cpu_seconds_total counter');
    expect(valueOf(metrics.text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('is not served on the API port: 404 NOT_FOUND as a problem', async () => {
    const answer = await callGateway(gateway, 'GET', '/metrics');

    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body.code).toBe('NOT_FOUND');
    expect(answer.text).not.toContain('process_cpu_seconds_total');
  });

  it('times HTTP requests by route pattern, method and status, never by raw path', async () => {
    const series = { route: '/v1/me/cards/:par/limits', method: 'PUT', status: '200' };
    const before = valueOf((await scrape()).text, 'http_request_duration_seconds_count', series);

    expect((await updateLimits(newMember())).status).toBe(200);
    const after = (await scrape()).text;

    expect(valueOf(after, 'http_request_duration_seconds_count', series)).toBe(before + 1);
    expect(after).toContain('# TYPE http_request_duration_seconds histogram');
    expect(after).not.toContain(PAR);
  });

  it('counts and times a successful KONA call by operation with outcome "success"', async () => {
    const series = { operation: 'card-limit-update', outcome: 'success' };
    const before = (await scrape()).text;

    expect((await updateLimits(newMember())).status).toBe(200);
    const after = (await scrape()).text;

    expect(valueOf(after, 'konaplate_calls_total', series)).toBe(
      valueOf(before, 'konaplate_calls_total', series) + 1,
    );
    expect(valueOf(after, 'konaplate_call_duration_seconds_count', series)).toBe(
      valueOf(before, 'konaplate_call_duration_seconds_count', series) + 1,
    );
  });

  it('labels a KONA business answer with its code as the outcome', async () => {
    const series = { operation: 'card-limit-update', outcome: '001_006' };
    const before = valueOf((await scrape()).text, 'konaplate_calls_total', series);

    expect((await updateLimits(WALLET_USER_NOT_FOUND_MEMBER)).status).toBe(404);

    expect(valueOf((await scrape()).text, 'konaplate_calls_total', series)).toBe(before + 1);
  });

  it('counts a claimed key and its replay as idempotency outcomes', async () => {
    const member = newMember();
    const key = newKey();
    const before = (await scrape()).text;

    const first = await updateLimits(member, key);
    const replay = await updateLimits(member, key);
    const after = (await scrape()).text;

    expect([first.status, replay.status]).toEqual([200, 200]);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    for (const outcome of ['claimed', 'replayed']) {
      expect({
        outcome,
        count: valueOf(after, 'idempotency_outcomes_total', { outcome }),
      }).toEqual({
        outcome,
        count: valueOf(before, 'idempotency_outcomes_total', { outcome }) + 1,
      });
    }
  });

  it('exports the Redis error counter', async () => {
    const metrics = await scrape();

    expect(metrics.text).toContain('# TYPE redis_errors_total counter');
    expect(parseSamples(metrics.text).some((s) => s.name === 'redis_errors_total')).toBe(true);
  });
});

describe('GET /metrics while Redis is down', () => {
  let redis: RedisServer;
  let gateway: RunningGateway;

  beforeAll(async () => {
    redis = await RedisServer.start();
    gateway = await startGateway(gatewayEnv('http://127.0.0.1:9', { REDIS_URL: redis.url }));
  });

  afterAll(async () => {
    // Redis back first: the app then closes its client cleanly, and stop() has a live server.
    await redis?.restart();
    await until(async () => (await callGateway(gateway, 'GET', '/health/ready')).status === 200);
    await gateway?.close();
    await redis?.stop();
  });

  it('counts Redis connection errors in redis_errors_total', async () => {
    const errors = async () =>
      valueOf(
        (await callGateway(managementOf(gateway), 'GET', '/metrics')).text,
        'redis_errors_total',
      );
    const before = await errors();

    await redis.kill();
    let after = before;
    await until(async () => (after = await errors()) > before);

    expect(after).toBeGreaterThan(before);
  });
});

/** Polls `condition` every 100 ms for up to 5 s (Redis reconnects with up to 2 s of backoff). */
async function until(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await condition()) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
