/**
 * CORS as a browser uses it: a page in headless Chromium (Debian's, driven by playwright-core) on
 * another origin calls every route (from the operation descriptors) and reads the exposed headers;
 * a page on an origin not in CORS_ORIGINS reads nothing. And /docs renders on a non-loopback host
 * over plain HTTP (no upgrade-insecure-requests).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { KONA_OPERATIONS } from '../../src/konaplate/operations/kona-operations';
import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import type { RunningGateway } from '../support/gateway';
import { PAR, gatewayEnv, newKey, newMember, startGateway, tokenFor } from '../support/gateway';

const CHROMIUM = '/usr/bin/chromium';
const RATE_LIMIT = 3;
const READABLE = [
  'x-request-id',
  'x-correlation-id',
  'idempotent-replayed',
  'retry-after',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
] as const;

/** A body each route accepts, by operation name (the descriptors say which route takes one). */
const BODIES: Record<string, unknown> = {
  namedcard: { identityVerified: true },
  'card-limit-update': { perTransaction: 100_000, daily: 500_000, monthly: 3_000_000 },
  'card-list': undefined,
  'card-status': { status: 'suspended' },
};

interface PageCall {
  name: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

interface PageResult {
  name: string;
  status?: number;
  error?: string;
  headers: Record<string, string | null>;
  body?: unknown;
}

/** Runs `calls` one after another with fetch() inside the page. */
function callFromPage(page: Page, calls: PageCall[]): Promise<PageResult[]> {
  return page.evaluate(
    async ({ calls, names }) => {
      const results: PageResult[] = [];
      for (const call of calls) {
        try {
          const response = await fetch(call.url, {
            method: call.method,
            headers: call.headers,
            body: call.body,
          });
          const headers: Record<string, string | null> = {};
          for (const name of names) headers[name] = response.headers.get(name);
          const text = await response.text();
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            /* keep the text */
          }
          results.push({ name: call.name, status: response.status, headers, body });
        } catch (error) {
          results.push({ name: call.name, error: String(error), headers: {} });
        }
      }
      return results;
    },
    { calls, names: [...READABLE] },
  );
}

function pageServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_request, response) => {
    response
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<!doctype html><title>app</title>');
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, origin: `http://127.0.0.1:${port}` });
    });
  });
}

describe('CORS in headless Chromium', () => {
  let sandbox: RunningSandbox;
  let gateway: RunningGateway;
  let browser: Browser;
  let app: { server: Server; origin: string };
  let stranger: { server: Server; origin: string };
  let page: Page;

  beforeAll(async () => {
    app = await pageServer();
    stranger = await pageServer();
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
    gateway = await startGateway(
      gatewayEnv(sandbox.url, {
        CORS_ORIGINS: `https://other.example, ${app.origin}`,
        RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
      }),
    );
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage();
    await page.goto(`${app.origin}/`);
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await sandbox?.close();
    app?.server.close();
    stranger?.server.close();
  });

  async function routeCall(
    op: (typeof KONA_OPERATIONS)[number],
    member: string,
    key = newKey(),
  ): Promise<PageCall> {
    const body = BODIES[op.name];
    const headers: Record<string, string> = {
      authorization: `Bearer ${await tokenFor(member)}`,
      'x-request-id': `browser-${op.name}`,
    };
    if (op.mutates) headers['idempotency-key'] = key;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return {
      name: op.name,
      method: op.route.method,
      url: `${gateway.url}${op.route.path.replace(':par', PAR)}`,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    };
  }

  it('calls every route from another origin (a preflight each) and reads X-Request-Id on every answer', async () => {
    const calls = await Promise.all(KONA_OPERATIONS.map((op) => routeCall(op, newMember())));
    const results = await callFromPage(page, calls);

    expect(results.map((r) => r.name)).toEqual(KONA_OPERATIONS.map((op) => op.name));
    for (const result of results) {
      expect({ name: result.name, error: result.error }).toEqual({
        name: result.name,
        error: undefined,
      });
      expect(result.status).toBeGreaterThanOrEqual(200);
      expect(result.headers['x-request-id']).toBe(`browser-${result.name}`);
    }
    const registration = results.find((r) => r.name === 'namedcard');
    expect(registration?.status).toBe(200);
    expect(registration?.headers['x-correlation-id']).toMatch(/^\d{12}-[0-9a-f]{7}$/);
    expect(registration?.headers['ratelimit-limit']).toBe(String(RATE_LIMIT));
    expect(registration?.headers['ratelimit-remaining']).toMatch(/^\d+$/);
    expect(registration?.headers['ratelimit-reset']).toMatch(/^\d+$/);
  });

  it('reads X-Correlation-Id and Idempotent-Replayed on a replayed limits update', async () => {
    const limits = KONA_OPERATIONS.find((op) => op.name === 'card-limit-update');
    if (!limits) throw new Error('no card-limit-update operation');
    const member = newMember();
    const key = newKey();
    const call = await routeCall(limits, member, key);
    const [first, replay] = await callFromPage(page, [call, { ...call, name: 'replay' }]);

    expect(first.status).toBe(200);
    expect(first.headers['idempotent-replayed']).toBeNull();
    expect(replay.status).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.headers['x-correlation-id']).toBe(first.headers['x-correlation-id']);
    expect(first.headers['x-correlation-id']).toBeTruthy();
  });

  it('reads Retry-After and RateLimit-* on a 429, and the problem body with its requestId', async () => {
    const registration = KONA_OPERATIONS.find((op) => op.name === 'namedcard');
    if (!registration) throw new Error('no namedcard operation');
    const member = newMember();
    const calls = await Promise.all(
      Array.from({ length: RATE_LIMIT + 1 }, () => routeCall(registration, member)),
    );
    const results = await callFromPage(page, calls);
    const limited = results[RATE_LIMIT];

    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['ratelimit-remaining']).toBe('0');
    expect(limited.body).toMatchObject({ code: 'RATE_LIMITED', requestId: 'browser-namedcard' });
  });

  it('gives a page on an origin not in CORS_ORIGINS nothing to read', async () => {
    const other = await browser.newPage();
    await other.goto(`${stranger.origin}/`);
    const calls = await Promise.all(KONA_OPERATIONS.map((op) => routeCall(op, newMember())));
    const results = await callFromPage(other, calls);
    await other.close();

    for (const result of results) expect(result.error).toMatch(/TypeError/);
  });
});

describe('/docs over plain HTTP on a non-loopback host name', () => {
  let sandbox: RunningSandbox;
  let gateway: RunningGateway;
  let browser: Browser;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
    gateway = await startGateway(gatewayEnv(sandbox.url));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--host-resolver-rules=MAP docs.test 127.0.0.1'],
    });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await sandbox?.close();
  });

  it('renders Swagger UI with the API title, every asset loaded over http', async () => {
    const page = await browser.newPage();
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(request.url()));
    // Swagger UI is served on the management port.
    const { port } = new URL(gateway.managementUrl);
    const response = await page.goto(`http://docs.test:${port}/docs`);
    await page.waitForSelector('.swagger-ui .info .title', { timeout: 10_000 });
    const title = await page.textContent('.swagger-ui .info .title');
    await page.close();

    expect(response?.headers()['content-security-policy']).not.toContain(
      'upgrade-insecure-requests',
    );
    expect(title).toContain('kona-bff mobile API');
    expect(failed).toEqual([]);
  });
});
