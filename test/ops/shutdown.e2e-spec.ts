import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import { PAR, callGateway, gatewayEnv, newKey, newMember, tokenFor } from '../support/gateway';
import type { Exit, GatewayProcess } from './gateway-process';
import { sleep, startGatewayProcess, tryConnect } from './gateway-process';

const DELAY_MS = 1000;
const UPSTREAM_LATENCY_MS = 1500;
const LIMITS = { perTransaction: 100_000, daily: 500_000, monthly: 3_000_000 };

/** Environment of the child gateway: the upstream timeout leaves room for the slow answer. */
function childEnv(sandbox: RunningSandbox, delayMs: number) {
  return gatewayEnv(sandbox.url, {
    SHUTDOWN_DELAY_MS: String(delayMs),
    LOG_LEVEL: 'info',
    KONAPLATE_TIMEOUT_MS: '3000',
  });
}

async function until(condition: () => boolean, withinMs: number): Promise<void> {
  const deadline = performance.now() + withinMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`condition not met in ${withinMs} ms`);
    await sleep(10);
  }
}

/** What happened around one SIGTERM, in performance.now() milliseconds. */
interface Timeline {
  signalAt: number;
  readyStatuses: { status: number; at: number }[];
  liveDuringDelay: { status: number; at: number };
  connectAfterDelay: { result: string; at: number; processRunning: boolean; inFlight: boolean };
  inFlight: { status: number; body: Record<string, unknown>; at: number };
  exit: Exit;
}

describe('SIGTERM with a request in flight (node dist/main.js, SHUTDOWN_DELAY_MS=1000)', () => {
  let sandbox: RunningSandbox;
  let gateway: GatewayProcess;
  let timeline: Timeline;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
    gateway = await startGatewayProcess(childEnv(sandbox, DELAY_MS));
    const member = newMember();
    sandbox.setFault({ mode: 'latency', userId: member, latencyMs: UPSTREAM_LATENCY_MS });

    // Arrange: a slow request that has reached KONA.
    let inFlightDone = false;
    const inFlight = callGateway(gateway, 'PUT', `/v1/me/cards/${PAR}/limits`, {
      token: await tokenFor(member),
      key: newKey(),
      body: LIMITS,
    }).then((answer) => {
      inFlightDone = true;
      return { status: answer.status, body: answer.body, at: performance.now() };
    });
    await until(() => sandbox.calls.list({ userId: member }).length > 0, 3000);

    // Act: the signal Kubernetes sends, then look at the gateway from outside.
    const signalAt = performance.now();
    gateway.signal('SIGTERM');
    const readyStatuses: Timeline['readyStatuses'] = [];
    while (performance.now() - signalAt < DELAY_MS / 2) {
      const ready = await callGateway(gateway, 'GET', '/health/ready');
      readyStatuses.push({ status: ready.status, at: performance.now() });
      if (ready.status === 503) break;
      await sleep(10);
    }
    const live = await callGateway(gateway, 'GET', '/health/live');
    const liveDuringDelay = { status: live.status, at: performance.now() };

    await sleep(signalAt + DELAY_MS + 100 - performance.now());
    const processRunning = gateway.running();
    const result = await tryConnect(gateway.port);
    const connectAfterDelay = {
      result,
      at: performance.now(),
      processRunning: processRunning && gateway.running(),
      inFlight: !inFlightDone,
    };

    timeline = {
      signalAt,
      readyStatuses,
      liveDuringDelay,
      connectAfterDelay,
      inFlight: await inFlight,
      exit: await gateway.exited,
    };
  });

  afterAll(async () => {
    await gateway?.stop();
    await sandbox?.close();
  });

  it('turns /health/ready 503 at once, well before the delay ends', () => {
    const first503 = timeline.readyStatuses.find((probe) => probe.status === 503);

    expect(first503).toBeDefined();
    expect(first503!.at - timeline.signalAt).toBeLessThan(DELAY_MS / 2);
  });

  it('keeps /health/live 200 during the delay', () => {
    expect(timeline.liveDuringDelay.at - timeline.signalAt).toBeLessThan(DELAY_MS);
    expect(timeline.liveDuringDelay.status).toBe(200);
  });

  it('refuses new connections after the delay while the in-flight request still drains', () => {
    expect(timeline.connectAfterDelay).toMatchObject({
      result: 'refused',
      processRunning: true,
      inFlight: true,
    });
  });

  it('completes the in-flight request with 200 and its answer', () => {
    expect(timeline.inFlight.status).toBe(200);
    expect(timeline.inFlight.body).toEqual({ limits: LIMITS });
  });

  it('exits with code 0 after the in-flight request, no sooner than the delay', () => {
    expect(timeline.exit).toMatchObject({ code: 0, signal: null });
    expect(timeline.exit.at - timeline.signalAt).toBeGreaterThanOrEqual(DELAY_MS);
    expect(timeline.exit.at).toBeGreaterThanOrEqual(timeline.inFlight.at);
  });

  it('logs the shutdown as JSON lines, ending with its completion', () => {
    const messages = gateway
      .stdout()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => (JSON.parse(line) as { msg?: string }).msg);

    expect(messages).toContain('shutdown complete');
  });
});

describe('SIGTERM with SHUTDOWN_DELAY_MS=0', () => {
  let sandbox: RunningSandbox;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
    gateway = await startGatewayProcess(childEnv(sandbox, 0));
  });

  afterAll(async () => {
    await gateway?.stop();
    await sandbox?.close();
  });

  it('exits promptly with code 0', async () => {
    const signalAt = performance.now();

    gateway.signal('SIGTERM');
    const exit = await gateway.exited;

    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - signalAt).toBeLessThan(1500);
  });
});
