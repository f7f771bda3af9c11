/**
 * Every answer of `node dist/main.js` carries X-Request-Id (the caller's when well formed), every
 * problem its requestId, and every log line written for the request the same reqId (auth refusals
 * included); a caller's traceparent puts its trace id on those lines.
 */
import type { RunningSandbox } from '../sandbox/sandbox.server';
import { startSandbox } from '../sandbox/sandbox.server';
import type { GatewayProcess } from '../ops/gateway-process';
import { startGatewayProcess } from '../ops/gateway-process';
import { PAR, gatewayEnv, newKey, newMember, tokenFor } from '../support/gateway';
import { RedisServer } from '../support/redis-server';
import { openRaw, rawBody, rawHeader } from './raw-socket';

type LogLine = Record<string, unknown>;

const REGISTRATION = '/v1/me/real-name-registration';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

interface Seen {
  name: string;
  status: number;
  requestId: string | null;
  body: Record<string, unknown>;
  sent?: string;
}

describe('request ids on every answer and in every log line (node dist/main.js)', () => {
  let sandbox: RunningSandbox;
  let redis: RedisServer;
  let gateway: GatewayProcess;
  let lines: LogLine[];
  const seen: Seen[] = [];

  async function call(
    name: string,
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: string } = {},
  ): Promise<Seen> {
    const response = await fetch(`${gateway.url}${path}`, {
      method,
      headers: init.headers,
      body: init.body,
    });
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      /* not JSON */
    }
    const outcome = {
      name,
      status: response.status,
      requestId: response.headers.get('x-request-id'),
      body,
      sent: init.headers?.['x-request-id'],
    };
    seen.push(outcome);
    return outcome;
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
    // Its own Redis: with a limit of 1 a minute, a fixed sandbox member (1001006, below) must not
    // share its counter with other suites.
    redis = await RedisServer.start();
    gateway = await startGatewayProcess(
      gatewayEnv(sandbox.url, {
        LOG_LEVEL: 'debug',
        RATE_LIMIT_PER_MINUTE: '1',
        REDIS_URL: redis.url,
      }),
    );
    const member = newMember();
    const token = await tokenFor(member);
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const registration = JSON.stringify({ identityVerified: true });

    await call('success', 'POST', REGISTRATION, {
      headers: {
        ...auth,
        'idempotency-key': newKey(),
        'x-request-id': 'caller-id-1',
        traceparent: TRACEPARENT,
      },
      body: registration,
    });
    await call('rate limited', 'POST', REGISTRATION, {
      headers: { ...auth, 'idempotency-key': newKey() },
      body: registration,
    });
    await call('validation', 'PUT', `/v1/me/cards/${PAR}/limits`, {
      headers: { ...auth, 'idempotency-key': newKey() },
      body: JSON.stringify({ nope: 1 }),
    });
    await call('no token', 'POST', REGISTRATION, {
      headers: { 'content-type': 'application/json', 'x-request-id': 'caller:no.token_2' },
      body: registration,
    });
    const forged = await tokenFor(member, { secret: 'another-secret-that-is-also-32-bytes-long' });
    await call('token rejected', 'POST', REGISTRATION, {
      headers: {
        authorization: `Bearer ${forged}`,
        'content-type': 'application/json',
        'idempotency-key': newKey(),
        'x-request-id': 'rejected-3',
        traceparent: TRACEPARENT,
      },
      body: registration,
    });
    // A sandbox member KONA does not know: a final refusal, stored and replayed.
    const unknown = { ...auth, authorization: `Bearer ${await tokenFor('1001006')}` };
    const refusedKey = newKey();
    for (const name of ['kona refusal', 'kona refusal replayed']) {
      await call(name, 'POST', REGISTRATION, {
        headers: { ...unknown, 'idempotency-key': refusedKey },
        body: registration,
      });
    }
    await call('encryption not configured', 'GET', '/v1/me/cards', { headers: auth });
    await call('not found', 'GET', '/v1/nowhere');
    await call('method not allowed', 'DELETE', REGISTRATION);
    await call('too large', 'POST', REGISTRATION, {
      headers: { ...auth, 'idempotency-key': newKey() },
      body: JSON.stringify({ identityVerified: true, pad: 'x'.repeat(20_000) }),
    });
    await call('unsupported media type', 'POST', REGISTRATION, {
      headers: {
        authorization: auth.authorization,
        'content-type': 'text/plain',
        'idempotency-key': newKey(),
      },
      body: 'hello',
    });
    await call('probe', 'GET', '/health/live');
    await call('id too long', 'GET', '/v1/nowhere', {
      headers: { 'x-request-id': 'a'.repeat(129) },
    });
    await call('id with a bad character', 'GET', '/v1/nowhere', {
      headers: { 'x-request-id': 'a b' },
    });
    await call('id that is a PAR', 'GET', '/v1/nowhere', { headers: { 'x-request-id': PAR } });

    const tooLarge = await openRaw(
      gateway.port,
      `GET /health/live HTTP/1.1\r\nHost: x\r\nCookie: ${'c'.repeat(20_000)}\r\n\r\n`,
    ).closed;
    seen.push({
      name: 'headers too large',
      status: tooLarge.status ?? 0,
      requestId: rawHeader(tooLarge.data, 'x-request-id') ?? null,
      body: rawBody(tooLarge.data),
    });

    await gateway.stop();
    lines = gateway
      .stdout()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as LogLine);
  }, 30_000);

  afterAll(async () => {
    await gateway?.stop();
    await sandbox?.close();
    await redis?.stop();
  });

  const by = (name: string): Seen => {
    const outcome = seen.find((s) => s.name === name);
    if (!outcome) throw new Error(`no call named ${name}`);
    return outcome;
  };

  it('answers what each call is about', () => {
    expect(Object.fromEntries(seen.map((s) => [s.name, s.status]))).toEqual({
      success: 200,
      'rate limited': 429,
      validation: 400,
      'no token': 401,
      'token rejected': 401,
      'kona refusal': 404,
      'kona refusal replayed': 404,
      'encryption not configured': 503,
      'not found': 404,
      'method not allowed': 405,
      'too large': 413,
      'unsupported media type': 415,
      probe: 200,
      'id too long': 404,
      'id with a bad character': 404,
      'id that is a PAR': 404,
      'headers too large': 431,
    });
  });

  it('puts X-Request-Id on every answer, the caller’s when well formed, a fresh one otherwise', () => {
    const without = seen.filter((s) => !/^[A-Za-z0-9._:-]{1,128}$/.test(s.requestId ?? ''));
    expect(without.map((s) => s.name)).toEqual([]);
    expect(new Set(seen.map((s) => s.requestId)).size).toBe(seen.length);
    expect(by('success').requestId).toBe('caller-id-1');
    expect(by('no token').requestId).toBe('caller:no.token_2');
    for (const name of ['id too long', 'id with a bad character', 'id that is a PAR']) {
      expect(by(name).requestId).not.toBe(by(name).sent);
    }
  });

  it('puts the same id in every problem body as requestId', () => {
    // A stored KONA refusal is replayed byte for byte, so its body names no request.
    const problems = seen.filter((s) => s.status >= 400 && !s.name.startsWith('kona refusal'));
    expect(problems.length).toBeGreaterThan(10);
    for (const problem of problems) {
      expect({ [problem.name]: problem.body.requestId }).toEqual({
        [problem.name]: problem.requestId,
      });
    }
  });

  it('keeps a KONA refusal byte for byte for its replays: no requestId in the body, each its own X-Request-Id', () => {
    const first = by('kona refusal');
    const replay = by('kona refusal replayed');

    expect(first.status).toBe(404);
    expect(replay.status).toBe(404);
    expect(first.body.requestId).toBeUndefined();
    expect(replay.body).toEqual(first.body);
    expect([first.requestId, replay.requestId].every(Boolean)).toBe(true);
    expect(replay.requestId).not.toBe(first.requestId);
  });

  it('writes the id on the log lines of each logged request, auth refusals included', () => {
    const unlogged = seen
      .filter((s) => s.name !== 'probe')
      .filter((s) => !lines.some((line) => line.reqId === s.requestId))
      .map((s) => s.name);
    expect(unlogged).toEqual([]);
    const rejected = lines.filter((line) => line.msg === 'token rejected');
    expect(rejected.map((line) => line.reqId)).toEqual(['rejected-3']);
  });

  it('leaves no request log line without an id', () => {
    const requestLines = lines.filter(
      (line) => line.status !== undefined || line.msg === 'token rejected',
    );
    expect(requestLines.length).toBeGreaterThanOrEqual(seen.length - 1);
    expect(requestLines.filter((line) => typeof line.reqId !== 'string')).toEqual([]);
  });

  it('joins the caller’s trace: its trace id on every line of a request that sent traceparent', () => {
    for (const reqId of ['caller-id-1', 'rejected-3']) {
      const own = lines.filter((line) => line.reqId === reqId);
      expect(own.length).toBeGreaterThan(0);
      for (const line of own)
        expect(line).toMatchObject({ traceId: TRACE_ID, parentId: '00f067aa0ba902b7' });
    }
    const untraced = lines.filter((line) => line.reqId === by('not found').requestId);
    for (const line of untraced) expect(line.traceId).toBeUndefined();
  });
});
