import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import { SANDBOX_DEMO } from '../sandbox/demo-credentials';
import {
  PAR,
  TEST_JWT_SECRET,
  callGateway,
  gatewayEnv,
  newKey,
  newMember,
  tokenFor,
} from '../support/gateway';
import type { GatewayProcess } from './gateway-process';
import { runGatewayToExit, startGatewayProcess } from './gateway-process';

const LIMITS_ROUTE = '/v1/me/cards/:par/limits';
const LIMITS = { perTransaction: 100_000, daily: 500_000, monthly: 3_000_000 };
/** The masked form konaplate.md asks for: first 4 and last 4 characters. */
const MASKED_PAR = `${PAR.slice(0, 4)}…${PAR.slice(-4)}`;
const ACCOUNT_NOT_LINKED_MEMBER = '1003024';

type LogLine = Record<string, unknown> & {
  msg?: string;
  req?: { method?: string; url?: string };
  res?: { statusCode?: number };
};

/** The access-log line of one request, whatever pino-http nests where. */
function requestFields(line: LogLine) {
  return {
    method: line.method ?? line.req?.method,
    route: line.route,
    status: line.status ?? line.res?.statusCode,
    duration: line.responseTime ?? line.duration,
    correlationId: line.correlationId,
    memberId: line.memberId,
  };
}

const isRequestLine = (line: LogLine) => requestFields(line).status !== undefined;

describe('the access log of node dist/main.js (LOG_LEVEL=debug)', () => {
  let sandbox: RunningSandbox;
  let gateway: GatewayProcess;
  let stdoutLines: string[];
  let lines: LogLine[];
  const member = newMember();
  const seen: { success?: string; business?: string } = {};
  const requestIds: (string | null)[] = [];
  const secrets: Record<string, string> = {
    'the KONA access key': SANDBOX_DEMO.accessKey,
    'the KONA secret key': SANDBOX_DEMO.secretKey,
    'the JWT secret': TEST_JWT_SECRET,
    'the full PAR': PAR,
    'an X-KM-Tran-Token value': 'KMV1:',
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
    gateway = await startGatewayProcess(gatewayEnv(sandbox.url, { LOG_LEVEL: 'debug' }));
    const path = `/v1/me/cards/${PAR}/limits`;

    const memberToken = await tokenFor(member);
    const success = await callGateway(gateway, 'PUT', path, {
      token: memberToken,
      key: newKey(),
      body: LIMITS,
    });
    const businessToken = await tokenFor(ACCOUNT_NOT_LINKED_MEMBER);
    const business = await callGateway(gateway, 'PUT', path, {
      token: businessToken,
      key: newKey(),
      body: LIMITS,
    });
    const forgedToken = await tokenFor(member, {
      secret: 'another-secret-that-is-also-32-bytes-long',
    });
    const unauthenticated = await callGateway(gateway, 'PUT', path, {
      token: forgedToken,
      key: newKey(),
      body: LIMITS,
    });
    expect([success.status, business.status, unauthenticated.status]).toEqual([200, 422, 401]);
    requestIds.push(
      ...[success, business, unauthenticated].map((answer) => answer.headers.get('x-request-id')),
    );
    seen.success = success.headers.get('x-correlation-id') ?? undefined;
    seen.business = business.headers.get('x-correlation-id') ?? undefined;
    secrets['the bearer token of the success'] = memberToken;
    secrets['the bearer token of the business error'] = businessToken;
    secrets['the rejected bearer token'] = forgedToken;

    for (const probe of ['/health/live', '/health/ready']) {
      expect((await callGateway(gateway, 'GET', probe)).status).toBe(200);
    }
    const management = { url: gateway.managementUrl };
    for (const path of ['/health/ready', '/metrics']) {
      expect((await callGateway(management, 'GET', path)).status).toBe(200);
    }

    // Every line is out once the process has ended.
    await gateway.stop();
    stdoutLines = gateway.stdout().split('\n');
    lines = stdoutLines.filter((line) => line !== '').map((line) => JSON.parse(line) as LogLine);
  });

  afterAll(async () => {
    await gateway?.stop();
    await sandbox?.close();
  });

  it('writes every stdout line as one JSON object', () => {
    const text = stdoutLines.filter((line) => line !== '');

    expect(text.length).toBeGreaterThan(0);
    for (const line of text) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(stdoutLines[stdoutLines.length - 1]).toBe('');
  });

  it('writes one line per API request with method, route pattern, status, duration, correlation id and member id', () => {
    const api = lines
      .filter(isRequestLine)
      .map(requestFields)
      .filter((fields) => fields.route === LIMITS_ROUTE);

    expect(api).toEqual([
      {
        method: 'PUT',
        route: LIMITS_ROUTE,
        status: 200,
        duration: expect.any(Number) as unknown,
        correlationId: seen.success,
        memberId: member,
      },
      {
        method: 'PUT',
        route: LIMITS_ROUTE,
        status: 422,
        duration: expect.any(Number) as unknown,
        correlationId: seen.business,
        memberId: ACCOUNT_NOT_LINKED_MEMBER,
      },
      // Rejected before any member is known or any KONA call is made.
      {
        method: 'PUT',
        route: LIMITS_ROUTE,
        status: 401,
        duration: expect.any(Number) as unknown,
        correlationId: undefined,
        memberId: undefined,
      },
    ]);
    expect(seen.success).toMatch(/^\d{12}-[0-9a-f]{7}$/);
  });

  it('puts the answer’s X-Request-Id on its line, and on the "token rejected" line of the 401', () => {
    const api = lines.filter((line) => isRequestLine(line) && line.route === LIMITS_ROUTE);
    const rejected = lines.filter((line) => line.msg === 'token rejected');

    expect(requestIds.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(api.map((line) => line.reqId)).toEqual(requestIds);
    expect(rejected.map((line) => line.reqId)).toEqual([requestIds[2]]);
  });

  it('does not log health probes or metric scrapes', () => {
    const probe = /^\/(health|metrics)(\/|$)/;
    const quiet = lines.filter(
      (line) => probe.test(String(line.route)) || probe.test(line.req?.url ?? ''),
    );

    expect(quiet).toEqual([]);
    expect(lines.filter(isRequestLine)).toHaveLength(3);
  });

  it('never writes a key, a secret, a token or a full PAR', () => {
    const leaks = Object.entries(secrets)
      .map(([what, secret]) => ({
        what,
        lines: [...stdoutLines, ...gateway.stderr().split('\n')].filter((line) =>
          line.includes(secret),
        ),
      }))
      .filter((leak) => leak.lines.length > 0);

    expect(leaks).toEqual([]);
  });

  it('masks the PAR in the logged URL as first4…last4', () => {
    const urls = lines.filter(isRequestLine).map((line) => line.req?.url ?? line.url);

    expect(urls).toEqual([
      `/v1/me/cards/${MASKED_PAR}/limits`,
      `/v1/me/cards/${MASKED_PAR}/limits`,
      `/v1/me/cards/${MASKED_PAR}/limits`,
    ]);
  });
});

describe('node dist/main.js with a bad configuration', () => {
  let run: Awaited<ReturnType<typeof runGatewayToExit>>;

  beforeAll(async () => {
    run = await runGatewayToExit(
      gatewayEnv('http://127.0.0.1:9', {
        KONAPLATE_ASP_ID: 'abc',
        KONAPLATE_ACCESS_KEY: undefined,
        LOG_LEVEL: 'info',
      }),
    );
  });

  it('exits with a non-zero code', () => {
    expect(run.signal).toBeNull();
    expect(run.code).not.toBe(0);
  });

  it('names both bad variables in one message on stderr', () => {
    expect(run.stderr).toContain('KONAPLATE_ASP_ID');
    expect(run.stderr).toContain('KONAPLATE_ACCESS_KEY');
  });

  it('prints no stack trace', () => {
    expect(run.stderr + run.stdout).not.toContain('    at ');
  });
});
