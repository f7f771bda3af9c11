/**
 * The one automatic retry is never silent: a KONA that refuses connections (nobody listens on
 * its port) makes the transport send each call a second time, and each of those is counted in
 * konaplate_transport_retries_total and written as one warn line naming the operation and the
 * correlation id, with no secret in it. Run as production runs it: `node dist/main.js`.
 */
import { SANDBOX_DEMO } from '../sandbox/demo-credentials';
import { freePort } from '../support/free-port';
import { gatewayEnv, newMember, TEST_JWT_SECRET } from '../support/gateway';
import { expectProblem, updateLimits } from '../api/mobile-api';
import type { GatewayProcess } from '../ops/gateway-process';
import { startGatewayProcess } from '../ops/gateway-process';
import { waitFor } from '../idempotency/wait';
import { metric } from './resilience-support';

const RETRIES = 'konaplate_transport_retries_total';
const LIMITS_OP = 'operation="card-limit-update"';
/** pino's number for `warn`. */
const WARN = 40;

type LogLine = Record<string, unknown> & { level?: number; msg?: string };

let gateway: GatewayProcess;

beforeAll(async () => {
  const closedPort = await freePort();
  gateway = await startGatewayProcess(
    gatewayEnv(`http://127.0.0.1:${closedPort}`, {
      LOG_LEVEL: 'warn',
      UPSTREAM_BREAKER_THRESHOLD: '1000',
    }),
  );
});

afterAll(async () => {
  await gateway?.stop();
});

function retryLines(): LogLine[] {
  return gateway
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine)
    .filter((line) => line.reason !== undefined && line.operation !== undefined);
}

it('counts and logs each retry of a refused connection, once per call', async () => {
  const before = (await metric(gateway, RETRIES, `${LIMITS_OP},reason="refused"`)) ?? 0;

  const first = await updateLimits(gateway, newMember());
  const second = await updateLimits(gateway, newMember());

  for (const answer of [first, second]) expectProblem(answer, 503, 'UPSTREAM_UNAVAILABLE');
  expect(await metric(gateway, RETRIES, `${LIMITS_OP},reason="refused"`)).toBe(before + 2);
  expect(await metric(gateway, RETRIES, `${LIMITS_OP},reason="unsent"`)).toBeUndefined();
  const lines = await waitFor('both retry lines', () =>
    retryLines().length >= 2 ? retryLines() : undefined,
  );
  expect(lines).toHaveLength(2);
  expect(
    lines.map((line) => [line.level, line.operation, line.reason, line.correlationId]),
  ).toEqual(
    [first, second].map((answer) => [
      WARN,
      'card-limit-update',
      'refused',
      answer.body.correlationId,
    ]),
  );
  const out = gateway.stdout();
  for (const secret of [SANDBOX_DEMO.accessKey, SANDBOX_DEMO.secretKey, TEST_JWT_SECRET, 'KMV1:']) {
    expect(out).not.toContain(secret);
  }
});
