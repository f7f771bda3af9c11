/**
 * Tests of the KONA sandbox itself, over real HTTP. Expected tokens are computed here with
 * node:crypto (kona-signing.test-util.ts), never with the sandbox's own checking code.
 */
import { SANDBOX_DEMO } from './demo-credentials';
import { optionsFromEnv } from './env-options';
import {
  callKona,
  konaTime,
  LIMIT_PATH,
  limitBody,
  NAMEDCARD_PATH,
  namedcardBody,
  tranToken,
} from './kona-signing.test-util';
import { TEST_MEMBERS } from './members';
import { startSandbox, type RunningSandbox } from './sandbox.server';

let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.calls.clear();
  sandbox.clearFaults();
});

async function json(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

function admin(path: string, method = 'GET', body?: unknown): Promise<Response> {
  return fetch(`${sandbox.url}/__sandbox/${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe('accepted calls', () => {
  it('accepts a signed namedcard call for member 9999999999999999999 and keeps every digit', async () => {
    const response = await callKona(sandbox.url, { body: namedcardBody('9999999999999999999') });
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(text).toBe('{"code":"000_000","description":"Success","userId":9999999999999999999}');
    const call = sandbox.calls.last();
    expect(call).toMatchObject({
      path: NAMEDCARD_PATH,
      userId: '9999999999999999999',
      tokenValid: true,
      answeredCode: '000_000',
      httpStatus: 200,
    });
    expect(call?.rejected).toBeUndefined();
    expect(response.headers.get('x-km-correlation-id')).toBe(call?.correlationId);
    expect(call?.correlationId).toMatch(/^\d{12}-[0-9a-f]{7}$/);
  });

  it('accepts 9007199254740993 (2^53 + 1) on both endpoints without rounding it', async () => {
    const named = await callKona(sandbox.url, { body: namedcardBody('9007199254740993') });
    expect(await named.text()).toContain('"userId":9007199254740993}');

    const limit = await callKona(sandbox.url, {
      path: LIMIT_PATH,
      body: limitBody('9007199254740993'),
    });
    expect(limit.status).toBe(200);
    expect(await json(limit)).toEqual({ code: '000_000', description: 'Success' });
    expect(sandbox.calls.list().map((call) => call.userId)).toEqual([
      '9007199254740993',
      '9007199254740993',
    ]);
  });

  it('accepts a UTC clock declared as UTC, charset utf-8 and a list in Accept', async () => {
    const response = await callKona(sandbox.url, {
      clockZone: 'UTC',
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        Accept: 'application/json, text/plain, */*',
        'X-KM-Crypto-Key-Id': 'k'.repeat(32),
      },
    });
    expect(response.status).toBe(200);
  });

  it('accepts an upper-case hex correlation suffix and the /open-api prefix of the real sandbox', async () => {
    const response = await callKona(sandbox.url, {
      path: '/open-api' + NAMEDCARD_PATH,
      mutate: (h) => {
        h['X-KM-Correlation-Id'] = h['X-KM-Correlation-Id'].slice(0, 13) + 'ABCDEF0';
      },
    });
    expect(response.status).toBe(200);
  });

  it('accepts a token of 67 characters (the documented 66 is a typo)', () => {
    const { time17 } = konaTime(Date.now(), 'KST');
    expect(tranToken(namedcardBody('1'), time17)).toHaveLength(67);
  });
});

describe('rejected calls', () => {
  const body = namedcardBody('2000001');
  const cases: [string, Parameters<typeof callKona>[1], number, string, RegExp][] = [
    [
      'a token over different bytes (re-serialized with a space)',
      { body, signedBody: '{"userId": 2000001,"isCheckNamedYn":"Y"}' },
      401,
      '999_401',
      /MAC does not match/,
    ],
    [
      'a token made with another secret',
      { body, secretKey: 'not-the-secret' },
      401,
      '999_401',
      /MAC does not match/,
    ],
    [
      'a wrong access key',
      { headers: { 'X-KM-Access-Key': 'x'.repeat(40) } },
      401,
      '999_401',
      /X-KM-Access-Key does not match/,
    ],
    [
      'a missing access key',
      { headers: { 'X-KM-Access-Key': undefined } },
      401,
      '999_401',
      /X-KM-Access-Key is missing/,
    ],
    [
      'a wrong ASP id',
      { headers: { 'X-KM-User-AspId': 'KBFFSANDBOX0002' } },
      401,
      '999_401',
      /X-KM-User-AspId does not match/,
    ],
    [
      'a correlation id whose timestamp differs from Tran-Time',
      { mutate: (h) => (h['X-KM-Correlation-Id'] = '000101000000-0a1b2c3') },
      400,
      '999_400',
      /timestamp 000101000000 does not fit X-KM-Tran-Time/,
    ],
    [
      'a correlation id with 8 hex characters',
      { mutate: (h) => (h['X-KM-Correlation-Id'] += 'a') },
      400,
      '999_400',
      /X-KM-Correlation-Id must be/,
    ],
    [
      'a UTC clock declared as KST (nine hours of skew)',
      { clockZone: 'UTC', declaredZone: 'KST' },
      401,
      '999_401',
      /is -324\d\d s away from the sandbox clock/,
    ],
    [
      'a Tran-Time ten minutes old',
      { instantMs: Date.now() - 600_000 },
      401,
      '999_401',
      /s away from the sandbox clock/,
    ],
    ['an unknown time zone', { declaredZone: 'JST' }, 400, '999_400', /KST or UTC/],
    [
      'an impossible calendar date',
      {
        mutate: (h) => {
          h['X-KM-Tran-Time'] = '20250230120000';
          h['X-KM-Correlation-Id'] = '250230120000-0a1b2c3';
        },
      },
      400,
      '999_400',
      /valid yyyyMMddHHmmss/,
    ],
    [
      'a token of 66 characters (padding cut)',
      { mutate: (h) => (h['X-KM-Tran-Token'] = h['X-KM-Tran-Token'].slice(0, 66)) },
      401,
      '999_401',
      /must be KMV1:.*67 chars \(66 chars sent, prefix ok\)/,
    ],
    [
      'a token with non-canonical base64 (same bytes, stray low bits)',
      {
        mutate: (h) => {
          const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
          const last = alphabet.indexOf(h['X-KM-Tran-Token'].charAt(65));
          h['X-KM-Tran-Token'] = h['X-KM-Tran-Token'].slice(0, 65) + alphabet[last | 1] + '=';
        },
      },
      401,
      '999_401',
      /not canonical base64/,
    ],
    [
      'a token with a wrong prefix',
      { mutate: (h) => (h['X-KM-Tran-Token'] = h['X-KM-Tran-Token'].replace('KMV1:', 'KMV2:')) },
      401,
      '999_401',
      /prefix is not KMV1:/,
    ],
    [
      'a token whose time is not Tran-Time',
      {
        mutate: (h) =>
          (h['X-KM-Tran-Token'] = h['X-KM-Tran-Token'].replace(/^KMV1:\d{4}/, 'KMV1:1999')),
      },
      401,
      '999_401',
      /does not start with X-KM-Tran-Time/,
    ],
    [
      'a Crypto-Key-Id that is not 32 characters',
      { headers: { 'X-KM-Crypto-Key-Id': 'short' } },
      400,
      '999_400',
      /X-KM-Crypto-Key-Id must be 32/,
    ],
    [
      'text/plain content',
      { headers: { 'Content-Type': 'text/plain' } },
      400,
      '999_400',
      /Content-Type/,
    ],
    [
      'an Accept without application/json',
      { headers: { Accept: '*/*' } },
      400,
      '999_400',
      /Accept must include application\/json/,
    ],
    ['a GET', { method: 'GET' }, 400, '999_400', /method GET is not allowed/],
  ];

  it.each(cases)('rejects %s', async (_name, options, status, code, reason) => {
    const response = await callKona(sandbox.url, options);
    const answer = await json(response);

    expect(response.status).toBe(status);
    expect(answer.code).toBe(code);
    expect(answer.description).toMatch(/^sandbox: /);
    expect(answer.description).toMatch(reason);
    expect(sandbox.calls.last()?.rejected).toMatch(reason);
  });

  const invalidBodies: [string, string, string, RegExp][] = [
    [
      'userId as a string',
      NAMEDCARD_PATH,
      '{"userId":"2000001","isCheckNamedYn":"Y"}',
      /JSON number/,
    ],
    ['a 20-digit userId', NAMEDCARD_PATH, namedcardBody('10000000000000000000'), /between 1 and/],
    ['userId 0', NAMEDCARD_PATH, namedcardBody('0'), /between 1 and/],
    ['a fractional userId', NAMEDCARD_PATH, namedcardBody('2000001.0'), /plain integer digits/],
    ['an exponent userId', NAMEDCARD_PATH, namedcardBody('2e6'), /plain integer digits/],
    ['isCheckNamedYn "y"', NAMEDCARD_PATH, namedcardBody('2000001', 'y'), /"Y" or "N"/],
    [
      'an unknown field',
      NAMEDCARD_PATH,
      '{"userId":2000001,"isCheckNamedYn":"Y","extra":1}',
      /unknown field\(s\): extra/,
    ],
    ['a missing field', NAMEDCARD_PATH, '{"userId":2000001}', /missing field\(s\): isCheckNamedYn/],
    ['a JSON array', NAMEDCARD_PATH, '[]', /JSON object/],
    ['a broken JSON', NAMEDCARD_PATH, '{"userId":2000001,', /not valid JSON/],
    ['a PAR of 26 characters', LIMIT_PATH, limitBody('2000001', 'A'.repeat(26)), /exactly 27/],
    ['a PAR with a dash', LIMIT_PATH, limitBody('2000001', 'A'.repeat(26) + '-'), /exactly 27/],
    [
      'limits without month',
      LIMIT_PATH,
      limitBody('2000001', undefined, '{"once":1,"day":2}'),
      /missing field\(s\): month/,
    ],
    [
      'a limit above 9999999999',
      LIMIT_PATH,
      limitBody('2000001', undefined, '{"once":1,"day":2,"month":10000000000}'),
      /body.limits.month must be between 0 and 9999999999/,
    ],
    [
      'a negative limit',
      LIMIT_PATH,
      limitBody('2000001', undefined, '{"once":-1,"day":2,"month":3}'),
      /plain integer digits/,
    ],
    [
      'a limit as a string',
      LIMIT_PATH,
      limitBody('2000001', undefined, '{"once":"1","day":2,"month":3}'),
      /body.limits.once must be a JSON number/,
    ],
  ];

  it.each(invalidBodies)('answers 000_002 for %s', async (_name, path, body, reason) => {
    const response = await callKona(sandbox.url, { path, body });

    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({
      code: '000_002',
      description: 'Invalid input parameter',
    });
    expect(response.headers.get('x-sandbox-reason')).toMatch(reason);
    const call = sandbox.calls.last();
    expect(call?.tokenValid).toBe(true);
    expect(call?.rejected).toMatch(reason);
  });

  it('never puts the PAR into a rejection reason', async () => {
    const par = 'SECRETPAR' + 'X'.repeat(17);
    await callKona(sandbox.url, { path: LIMIT_PATH, body: limitBody('2000001', par) });
    expect(sandbox.calls.last()?.rejected).not.toContain('SECRETPAR');
  });

  it('records a rejected call with tokenValid false', async () => {
    await callKona(sandbox.url, { signedBody: '{}' });
    expect(sandbox.calls.last()).toMatchObject({ userId: '2000001', tokenValid: false });
  });
});

describe('test members', () => {
  const expected: [string, 'namedcard' | 'limit', string, number, string][] = [
    ['1001006', 'namedcard', 'Y', 400, '001_006'],
    ['1001006', 'limit', '', 400, '001_006'],
    ['1011001', 'namedcard', 'Y', 400, '011_001'],
    ['1011001', 'limit', '', 200, '000_000'],
    ['2000001', 'namedcard', 'N', 400, '011_001'],
    ['9999999999999999999', 'namedcard', 'N', 400, '011_001'],
    ['1003024', 'limit', '', 400, '003_024'],
    ['1003024', 'namedcard', 'Y', 200, '000_000'],
    ['1000002', 'limit', '', 400, '000_002'],
    ['1999999', 'namedcard', 'Y', 400, '999_999'],
    ['1999999', 'limit', '', 400, '999_999'],
    ['1003999', 'namedcard', 'Y', 400, '003_024'],
    ['1003999', 'limit', '', 400, '011_001'],
  ];

  it.each(expected)(
    'member %s on %s (%s) answers %i %s',
    async (userId, endpoint, flag, status, code) => {
      const response = await callKona(
        sandbox.url,
        endpoint === 'namedcard'
          ? { body: namedcardBody(userId, flag) }
          : { path: LIMIT_PATH, body: limitBody(userId) },
      );
      const answer = await json(response);
      expect(response.status).toBe(status);
      expect(answer.code).toBe(code);
      expect(sandbox.calls.last()).toMatchObject({ userId, answeredCode: code, tokenValid: true });
    },
  );

  it('lists exactly the documented members', () => {
    expect(TEST_MEMBERS.map((member) => member.userId).sort()).toEqual([
      '1000000',
      '1000002',
      '1001006',
      '1003001',
      '1003024',
      '1003999',
      '1011001',
      '1999999',
    ]);
  });
});

describe('faults', () => {
  it('latency: answers normally, later', async () => {
    sandbox.setFault({ mode: 'latency', latencyMs: 300 });
    const started = Date.now();
    const response = await callKona(sandbox.url);
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(sandbox.calls.last()).toMatchObject({ fault: 'latency', answeredCode: '000_000' });
  });

  it('hang: never answers, until the client gives up', async () => {
    sandbox.setFault({ mode: 'hang' });
    const started = Date.now();
    await expect(callKona(sandbox.url, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(sandbox.calls.last()).toMatchObject({ fault: 'hang', userId: '2000001' });
    expect(sandbox.calls.last()?.httpStatus).toBeUndefined();
  });

  it('reset: the connection is destroyed without an answer', async () => {
    sandbox.setFault({ mode: 'reset' });
    await expect(callKona(sandbox.url)).rejects.toThrow();
    expect(sandbox.calls.last()?.fault).toBe('reset');
  });

  it('5xx: an HTML error page, 503 unless told otherwise (set through the control API)', async () => {
    expect((await admin('faults', 'POST', { mode: '5xx' })).status).toBe(204);
    const first = await callKona(sandbox.url);
    expect(first.status).toBe(503);
    expect(first.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await first.text()).toBe('<html>upstream error</html>');

    expect((await admin('faults', 'POST', { mode: '5xx', status: 502 })).status).toBe(204);
    expect((await callKona(sandbox.url)).status).toBe(502);
  });

  it('malformed: 200 with a truncated JSON body', async () => {
    sandbox.setFault({ mode: 'malformed' });
    const response = await callKona(sandbox.url);
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(text).toBe('{"code":"000_0');
    expect(() => JSON.parse(text) as unknown).toThrow();
  });

  it('drip: headers at once, then the body byte by byte', async () => {
    sandbox.setFault({ mode: 'drip', latencyMs: 400 });
    const started = Date.now();
    const response = await callKona(sandbox.url, { body: namedcardBody('2000001') });
    const headersAfter = Date.now() - started;
    const text = await response.text();
    expect(headersAfter).toBeLessThan(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(text).toBe('{"code":"000_000","description":"Success","userId":2000001}');
  });

  it('a scoped fault hits only its member', async () => {
    sandbox.setFault({ mode: '5xx', userId: '2000001' });
    const other = await callKona(sandbox.url, { body: namedcardBody('2000002') });
    const target = await callKona(sandbox.url, { body: namedcardBody('2000001') });
    expect(other.status).toBe(200);
    expect(target.status).toBe(503);
    expect(sandbox.calls.list({ userId: '2000002' })[0].fault).toBeUndefined();
  });

  it('a member fault wins over the global one', async () => {
    sandbox.setFault({ mode: 'malformed' });
    sandbox.setFault({ mode: '5xx', userId: '2000001' });
    expect((await callKona(sandbox.url)).status).toBe(503);
  });

  it('times: the fault expires after that many calls', async () => {
    sandbox.setFault({ mode: '5xx', times: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await callKona(sandbox.url)).status);
    expect(statuses).toEqual([503, 503, 200]);
  });

  it('a refused call is not hidden by a fault', async () => {
    sandbox.setFault({ mode: 'reset' });
    const response = await callKona(sandbox.url, {
      headers: { 'X-KM-Access-Key': 'x'.repeat(40) },
    });
    expect(response.status).toBe(401);
    expect((await callKona(sandbox.url).catch(() => 'reset')) as unknown).toBe('reset');
  });

  it('clearFaults and DELETE /__sandbox/faults remove them', async () => {
    sandbox.setFault({ mode: '5xx' });
    expect(await json(await admin('faults'))).toEqual({ faults: [{ mode: '5xx' }] });
    expect((await admin('faults', 'DELETE')).status).toBe(204);
    expect((await callKona(sandbox.url)).status).toBe(200);
  });

  it('refuses an invalid fault spec', async () => {
    for (const spec of [
      { mode: 'explode' },
      { mode: 'hang', latencyMs: 10 },
      { mode: 'latency', times: 0 },
      { mode: '5xx', status: 200 },
      { mode: '5xx', userId: 2000001 },
      { mode: '5xx', extra: true },
    ]) {
      expect((await admin('faults', 'POST', spec)).status).toBe(400);
    }
    expect(() => {
      sandbox.setFault({ mode: 'latency', latencyMs: -1 });
    }).toThrow(/latencyMs/);
  });
});

describe('control API and housekeeping', () => {
  it('GET /health answers ok', async () => {
    const response = await fetch(`${sandbox.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('lists calls, filtered by member, and clears them', async () => {
    await callKona(sandbox.url, { body: namedcardBody('2000001') });
    await callKona(sandbox.url, { body: namedcardBody('9999999999999999999') });

    const all = (await json(await admin('calls'))).calls as { userId: string; rawBody: string }[];
    expect(all.map((call) => call.userId)).toEqual(['2000001', '9999999999999999999']);
    const one = (await json(await admin('calls?userId=9999999999999999999'))).calls as {
      rawBody: string;
    }[];
    expect(one).toHaveLength(1);
    expect(one[0].rawBody).toBe(namedcardBody('9999999999999999999'));
    expect((await admin('calls?userId=abc')).status).toBe(400);

    expect((await admin('calls', 'DELETE')).status).toBe(204);
    expect(await json(await admin('calls'))).toEqual({ calls: [] });
  });

  it('answers 404 JSON for an unknown route', async () => {
    const response = await fetch(`${sandbox.url}/api/v1/nowhere`, { method: 'POST' });
    expect(response.status).toBe(404);
    expect((await json(response)).code).toBe('999_404');
  });

  it('never keeps the secret key or the token in the call log', async () => {
    await callKona(sandbox.url);
    const log = JSON.stringify(sandbox.calls.list());
    expect(log).not.toContain(SANDBOX_DEMO.secretKey);
    expect(log).not.toContain('KMV1:');
    expect(log).not.toContain(SANDBOX_DEMO.accessKey);
  });

  it('adds the configured latency to every answer', async () => {
    const slow = await startSandbox({ port: 0, quiet: true, latencyMs: 150 });
    try {
      const started = Date.now();
      expect((await callKona(slow.url)).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    } finally {
      await slow.close();
    }
  });

  it('close() resolves while a request hangs, and the client sees the connection drop', async () => {
    const other = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
    other.setFault({ mode: 'hang' });
    const pending = callKona(other.url).then(
      () => 'answered',
      () => 'dropped',
    );
    while (other.calls.size === 0) await new Promise((resolve) => setTimeout(resolve, 10));

    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBe('dropped');
    await other.close(); // idempotent
  });

  it('refuses credentials of the wrong length at start', async () => {
    await expect(startSandbox({ port: 0, quiet: true, aspId: 'short' })).rejects.toThrow(/15/);
    await expect(startSandbox({ port: 0, quiet: true, accessKey: 'short' })).rejects.toThrow(/40/);
  });

  it('maps the environment to options', () => {
    expect(optionsFromEnv({})).toEqual({
      port: 8080,
      host: '0.0.0.0',
      aspId: SANDBOX_DEMO.aspId,
      accessKey: SANDBOX_DEMO.accessKey,
      secretKey: SANDBOX_DEMO.secretKey,
      latencyMs: 0,
      maxSkewSeconds: 300,
      quiet: false,
    });
    expect(optionsFromEnv({ SANDBOX_PORT: '0', SANDBOX_LATENCY_MS: '25' })).toMatchObject({
      port: 0,
      latencyMs: 25,
    });
    expect(() => optionsFromEnv({ SANDBOX_PORT: '80a' })).toThrow(/SANDBOX_PORT/);
  });
});
