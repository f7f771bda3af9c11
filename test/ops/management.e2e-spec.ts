/**
 * The management listener (MANAGEMENT_PORT): metrics, docs and detailed health on a port of their
 * own, none of it on the API port; docs off in production unless DOCS_ENABLED=true; outside the
 * API's connection cap; open with the API and closed after it on shutdown.
 */
import { createServer } from 'node:net';
import { openRaw } from '../edge/raw-socket';
import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import { freePort } from '../support/free-port';
import type { RunningGateway } from '../support/gateway';
import { callGateway, gatewayEnv, managementOf, startGateway } from '../support/gateway';
import { runGatewayToExit, sleep, startGatewayProcess, tryConnect } from './gateway-process';

let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
});

afterAll(async () => {
  await sandbox?.close();
});

/** A problem answer: status, problem+json and the stable code. */
function expectProblem(
  answer: Awaited<ReturnType<typeof callGateway>>,
  status: number,
  code: string,
) {
  expect({ status: answer.status, code: answer.body.code }).toEqual({ status, code });
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
}

/** Runs `body` against a gateway started with `env` over the defaults, and closes it. */
async function withGateway(
  env: Record<string, string>,
  body: (gateway: RunningGateway) => Promise<void>,
): Promise<void> {
  const gateway = await startGateway(gatewayEnv(sandbox.url, env));
  try {
    await body(gateway);
  } finally {
    await gateway.close();
  }
}

describe('the API port and the management port (NODE_ENV=test)', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startGateway(gatewayEnv(sandbox.url));
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('listens on two different ports', () => {
    expect(new URL(gateway.managementUrl).port).not.toBe(new URL(gateway.url).port);
  });

  it.each(['/metrics', '/docs', '/docs-json', '/docs-yaml'])(
    'answers %s on the API port 404 NOT_FOUND as a problem',
    async (path) => {
      expectProblem(await callGateway(gateway, 'GET', path), 404, 'NOT_FOUND');
    },
  );

  it('serves the Prometheus text, Swagger UI and the document as JSON and YAML', async () => {
    const management = managementOf(gateway);
    const [metrics, docs, json, yaml] = await Promise.all(
      ['/metrics', '/docs', '/docs-json', '/docs-yaml'].map((path) =>
        callGateway(management, 'GET', path),
      ),
    );

    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger-ui');
    expect(json.body).toMatchObject({ info: { title: 'kona-bff mobile API' } });
    expect(yaml.text).toMatch(/^openapi: 3\./m);
  });

  it('describes the API, not itself: no management route in the document', async () => {
    const json = await callGateway(managementOf(gateway), 'GET', '/docs-json');

    expect(Object.keys(json.body.paths as object).filter((p) => !p.startsWith('/v1/'))).toEqual([]);
  });

  it('answers an unknown path 404 and a wrong method 405, as problems', async () => {
    const management = managementOf(gateway);

    const unknown = await callGateway(management, 'GET', '/v1/me/cards');
    const wrongMethod = await callGateway(management, 'POST', '/metrics', { body: {} });

    expectProblem(unknown, 404, 'NOT_FOUND');
    expectProblem(wrongMethod, 405, 'METHOD_NOT_ALLOWED');
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD');
    expect(unknown.headers.get('x-request-id')).toBeTruthy();
  });
});

describe('docs on the management port', () => {
  const production = { NODE_ENV: 'production', KONAPLATE_ALLOW_PLAINTEXT: 'true' };

  it('are off in production: /docs* answer 404, metrics still serve', async () => {
    await withGateway(production, async (gateway) => {
      const management = managementOf(gateway);

      for (const path of ['/docs', '/docs-json', '/docs-yaml']) {
        expectProblem(await callGateway(management, 'GET', path), 404, 'NOT_FOUND');
      }
      expect((await callGateway(management, 'GET', '/metrics')).status).toBe(200);
    });
  });

  it('are on in production with DOCS_ENABLED=true', async () => {
    await withGateway({ ...production, DOCS_ENABLED: 'true' }, async (gateway) => {
      const json = await callGateway(managementOf(gateway), 'GET', '/docs-json');

      expect(json.status).toBe(200);
      expect(json.body.openapi).toMatch(/^3\./);
    });
  });

  it('are off outside production with DOCS_ENABLED=false', async () => {
    await withGateway({ DOCS_ENABLED: 'false' }, async (gateway) => {
      expectProblem(await callGateway(managementOf(gateway), 'GET', '/docs'), 404, 'NOT_FOUND');
    });
  });
});

describe('the management port and the API’s connection cap (HTTP_MAX_CONNECTIONS=2)', () => {
  it('serves metrics and readiness while the API port is full', async () => {
    await withGateway(
      {
        HTTP_MAX_CONNECTIONS: '2',
        HTTP_HEADERS_TIMEOUT_MS: '20000',
        HTTP_REQUEST_TIMEOUT_MS: '20000',
      },
      async (gateway) => {
        const port = Number(new URL(gateway.url).port);
        const held = [openRaw(port, 'GET /health/live HTTP/1.1\r\n'), openRaw(port, 'GET /')];
        await Promise.all(held.map((connection) => connection.connected));
        await sleep(200);
        try {
          const refused = await openRaw(port, 'GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n')
            .closed;
          const management = managementOf(gateway);
          const metrics = await callGateway(management, 'GET', '/metrics');
          const ready = await callGateway(management, 'GET', '/health/ready');

          expect(refused.data).toBe('');
          expect(metrics.status).toBe(200);
          expect(ready.status).toBe(200);
        } finally {
          for (const connection of held) connection.socket.destroy();
        }
      },
    );
  });
});

describe('the management port through a shutdown (SHUTDOWN_DELAY_MS=1500)', () => {
  it('reports the drain in detail and serves metrics through it, then closes', async () => {
    const gateway = await startGatewayProcess(
      gatewayEnv(sandbox.url, { SHUTDOWN_DELAY_MS: '1500', LOG_LEVEL: 'info' }),
    );
    const management = { url: gateway.managementUrl };
    const managementPort = Number(new URL(gateway.managementUrl).port);
    // The start line is written just before the signal handlers are installed, in the same turn.
    while (!gateway.stdout().includes('"context":"Main"')) await sleep(20);

    gateway.signal('SIGTERM');
    await sleep(300);
    const ready = await callGateway(management, 'GET', '/health/ready');
    const metrics = await callGateway(management, 'GET', '/metrics');
    const exit = await gateway.stop();

    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      details: { lifecycle: { status: 'down', state: 'shutting-down' } },
    });
    expect(metrics.status).toBe(200);
    expect(exit.code).toBe(0);
    expect(await tryConnect(managementPort)).toBe('refused');
  });
});

describe('a management port that is taken', () => {
  it('stops the start with exit 1 and says why', async () => {
    const port = await freePort();
    const holder = createServer().listen(port, '127.0.0.1');
    await new Promise((resolve) => holder.once('listening', resolve));
    try {
      const run = await runGatewayToExit(
        gatewayEnv(sandbox.url, {
          HOST: '127.0.0.1',
          PORT: String(await freePort()),
          MANAGEMENT_PORT: String(port),
        }),
      );

      expect(run.code).toBe(1);
      expect(run.stderr).toContain('EADDRINUSE');
    } finally {
      holder.close();
    }
  });
});
