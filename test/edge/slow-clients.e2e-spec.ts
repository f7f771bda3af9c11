/**
 * Slow senders against `node dist/main.js`: a request whose headers or body are late gets 408 and
 * its socket closed within the configured time, while other clients keep being served; idle
 * sockets, kept-alive sockets and the connection cap are bounded too.
 */
import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import type { GatewayProcess } from '../ops/gateway-process';
import { sleep, startGatewayProcess } from '../ops/gateway-process';
import { gatewayEnv, newKey, newMember, tokenFor } from '../support/gateway';
import type { RawOutcome } from './raw-socket';
import { PARTIAL_BODY, PARTIAL_HEADERS, openRaw, rawBody, rawHeader } from './raw-socket';

const TIMEOUT_MS = 1500;
/** Node checks the deadlines every 300 ms here (a fifth of the timeout); the rest is load. */
const MARGIN_MS = 2000;
const SLOW_SOCKETS = 3000;

let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
});

afterAll(async () => {
  await sandbox?.close();
});

/** A normal client: a probe and an API call in a loop until `stop()`, every answer recorded. */
function normalClient(gateway: GatewayProcess) {
  const answers: { status: number; ms: number }[] = [];
  let running = true;
  const done = (async () => {
    const member = newMember();
    const token = await tokenFor(member);
    while (running) {
      const t0 = performance.now();
      const probe = await fetch(`${gateway.url}/health/live`);
      await probe.text();
      answers.push({ status: probe.status, ms: performance.now() - t0 });
      const t1 = performance.now();
      const api = await fetch(`${gateway.url}/v1/me/real-name-registration`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'idempotency-key': newKey(),
          'content-type': 'application/json',
        },
        body: JSON.stringify({ identityVerified: true }),
      });
      await api.text();
      answers.push({ status: api.status, ms: performance.now() - t1 });
      await sleep(50);
    }
  })();
  return {
    answers,
    async stop() {
      running = false;
      await done;
    },
  };
}

function expect408(outcome: RawOutcome): void {
  expect(outcome.status).toBe(408);
  expect(rawHeader(outcome.data, 'content-type')).toBe('application/problem+json');
  expect(rawHeader(outcome.data, 'x-request-id')).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
  expect(rawBody(outcome.data)).toMatchObject({ status: 408, code: 'REQUEST_TIMEOUT' });
}

describe('requests that arrive too slowly (HTTP_REQUEST_TIMEOUT_MS=1500)', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGatewayProcess(
      gatewayEnv(sandbox.url, {
        HTTP_HEADERS_TIMEOUT_MS: String(TIMEOUT_MS),
        HTTP_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS),
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
        HTTP_MAX_CONNECTIONS: '5000',
      }),
    );
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it(`closes ${SLOW_SOCKETS} sockets that sent part of a body with 408 within the timeout, serving others meanwhile`, async () => {
    const client = normalClient(gateway);
    const outcomes: Promise<RawOutcome>[] = [];
    for (let opened = 0; opened < SLOW_SOCKETS; opened += 250) {
      const batch = Array.from({ length: 250 }, () => openRaw(gateway.port, PARTIAL_BODY));
      await Promise.all(batch.map((c) => c.connected));
      outcomes.push(...batch.map((c) => c.closed));
    }
    const all = await Promise.all(outcomes);
    await client.stop();

    const late = all.filter((o) => o.closedAt - o.startedAt > TIMEOUT_MS + MARGIN_MS);
    const early = all.filter((o) => o.closedAt - o.startedAt < TIMEOUT_MS - 100);
    expect({ late: late.length, early: early.length }).toEqual({ late: 0, early: 0 });
    for (const outcome of all) expect408(outcome);
    expect(client.answers.length).toBeGreaterThanOrEqual(6);
    expect(client.answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(Math.max(...client.answers.map((a) => a.ms))).toBeLessThan(TIMEOUT_MS);
  }, 60_000);

  it('answers 408 with the caller’s request id to a body that stops, and closes the socket', async () => {
    const connection = openRaw(
      gateway.port,
      PARTIAL_BODY.replace(
        'Host: 127.0.0.1\r\n',
        'Host: 127.0.0.1\r\nX-Request-Id: slow-body-1\r\n',
      ),
    );
    const outcome = await connection.closed;

    expect408(outcome);
    expect(rawHeader(outcome.data, 'x-request-id')).toBe('slow-body-1');
    expect(rawBody(outcome.data).requestId).toBe('slow-body-1');
  });

  it('closes a socket whose headers never end, and one that sends nothing, with 408 within the timeout', async () => {
    const [headers, idle] = await Promise.all([
      openRaw(gateway.port, PARTIAL_HEADERS).closed,
      openRaw(gateway.port).closed,
    ]);

    for (const outcome of [headers, idle]) {
      expect408(outcome);
      expect(outcome.closedAt - outcome.startedAt).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    }
  });

  it('closes a body dripping a byte every 200 ms at the request timeout, though bytes keep coming', async () => {
    const connection = openRaw(gateway.port, PARTIAL_BODY);
    await connection.connected;
    const drip = setInterval(() => connection.socket.write(' '), 200);
    const outcome = await connection.closed;
    clearInterval(drip);

    expect408(outcome);
    expect(outcome.closedAt - outcome.startedAt).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
  });

  it('keeps an idle kept-alive socket for HTTP_KEEP_ALIVE_TIMEOUT_MS, and says so', async () => {
    const connection = openRaw(
      gateway.port,
      'GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    );
    const outcome = await connection.closed;

    expect(outcome.status).toBe(200);
    expect(rawHeader(outcome.data, 'keep-alive')).toBe('timeout=1');
    expect(outcome.closedAt - outcome.startedAt).toBeGreaterThanOrEqual(900);
    expect(outcome.closedAt - outcome.startedAt).toBeLessThan(1000 + MARGIN_MS);
  });
});

describe('a socket on which nothing moves (HTTP_IDLE_TIMEOUT_MS=1000)', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGatewayProcess(
      gatewayEnv(sandbox.url, {
        KONAPLATE_TIMEOUT_MS: '500',
        HTTP_IDLE_TIMEOUT_MS: '1000',
        HTTP_HEADERS_TIMEOUT_MS: '8000',
        HTTP_REQUEST_TIMEOUT_MS: '8000',
      }),
    );
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('is closed after the idle timeout, long before the request timeout', async () => {
    const outcome = await openRaw(gateway.port, PARTIAL_BODY).closed;

    expect(outcome.closedAt - outcome.startedAt).toBeGreaterThanOrEqual(900);
    expect(outcome.closedAt - outcome.startedAt).toBeLessThan(1000 + MARGIN_MS);
  });
});

describe('the connection cap (HTTP_MAX_CONNECTIONS=50)', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGatewayProcess(
      gatewayEnv(sandbox.url, {
        HTTP_MAX_CONNECTIONS: '50',
        HTTP_HEADERS_TIMEOUT_MS: '20000',
        HTTP_REQUEST_TIMEOUT_MS: '20000',
      }),
    );
    // The start-up probe's connection must be gone before counting.
    await sleep(200);
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('closes a connection beyond the cap at once, and accepts again once sockets are freed', async () => {
    const held = Array.from({ length: 50 }, () => openRaw(gateway.port, PARTIAL_HEADERS));
    await Promise.all(held.map((c) => c.connected));
    await sleep(300);

    const refused = await openRaw(gateway.port, 'GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n')
      .closed;
    for (const connection of held.slice(0, 10)) connection.socket.destroy();
    await sleep(300);
    const served = await fetch(`${gateway.url}/health/live`, { headers: { connection: 'close' } });
    await served.text();
    for (const connection of held) connection.socket.destroy();

    expect(refused.data).toBe('');
    expect(refused.closedAt - refused.startedAt).toBeLessThan(1000);
    expect(served.status).toBe(200);
  });
});
