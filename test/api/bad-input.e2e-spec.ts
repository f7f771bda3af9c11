/**
 * Every malformed request gets its 4xx problem and never reaches KONA: each test sends a request
 * that is valid except for one thing (good token, good key, good body), so the answer can only
 * come from that one thing, and checks that the sandbox saw no call at all.
 */
import type { RunningSandbox } from '../sandbox/sandbox.server';
import type { RunningGateway } from '../support/gateway';
import { callGateway, newMember, PAR, tokenFor } from '../support/gateway';
import {
  expectProblem,
  limitsPath,
  register,
  REGISTRATION,
  updateLimits,
  VALID_LIMITS,
  withoutReachingKona,
  type Answer,
} from './mobile-api';
import { useStack } from '../support/stack';

let sandbox: RunningSandbox;
let gateway: RunningGateway;

useStack((started) => ({ sandbox, gateway } = started));

/** 400 VALIDATION_FAILED whose errors name `field`, each entry a {field, message} pair. */
function expectValidationFailed(answer: Answer, field: string): void {
  expectProblem(answer, 400, 'VALIDATION_FAILED');
  const errors = answer.body.errors as { field: unknown; message: unknown }[];
  expect(Array.isArray(errors)).toBe(true);
  for (const error of errors) {
    expect(Object.keys(error).sort()).toEqual(['field', 'message']);
    expect(error.message).toEqual(expect.stringMatching(/\S/));
  }
  expect(errors.map((error) => error.field)).toContain(field);
}

/** Sends a registration whose only fault is `options`, and proves KONA never heard of it. */
function registerRejected(options: Parameters<typeof register>[2]): Promise<Answer> {
  const member = newMember();
  return withoutReachingKona(sandbox, member, () => register(gateway, member, options));
}

/** Sends a limits update whose only fault is `options`, and proves KONA never heard of it. */
function updateRejected(options: Parameters<typeof updateLimits>[2]): Promise<Answer> {
  const member = newMember();
  return withoutReachingKona(sandbox, member, () => updateLimits(gateway, member, options));
}

describe('the harness itself', () => {
  it('sees a valid request reach KONA, so "never reaches KONA" below can fail', async () => {
    const member = newMember();
    const before = sandbox.calls.size;

    const answer = await register(gateway, member);

    expect(answer.status).toBe(200);
    expect(sandbox.calls.list({ userId: member })).toHaveLength(1);
    expect(sandbox.calls.size).toBe(before + 1);
  });
});

describe('registration body validation', () => {
  it('refuses an unknown field', async () => {
    const answer = await registerRejected({ body: { identityVerified: true, nickname: 'x' } });

    expectValidationFailed(answer, 'nickname');
  });

  it('refuses a missing identityVerified', async () => {
    const answer = await registerRejected({ body: {} });

    expectValidationFailed(answer, 'identityVerified');
  });

  it('refuses the string "true" for the boolean (no coercion)', async () => {
    const answer = await registerRejected({ body: { identityVerified: 'true' } });

    expectValidationFailed(answer, 'identityVerified');
  });

  it('refuses 1 for the boolean (no coercion)', async () => {
    const answer = await registerRejected({ body: { identityVerified: 1 } });

    expectValidationFailed(answer, 'identityVerified');
  });

  it.each([
    ['null', 'null'],
    ['an array', '[{"identityVerified":true}]'],
    ['a bare string', '"identityVerified"'],
  ])('refuses %s as the body', async (_, rawBody) => {
    const answer = await registerRejected({ rawBody });

    expectProblem(answer, 400, 'VALIDATION_FAILED');
  });

  it('refuses an empty body sent as application/json as unparseable', async () => {
    const answer = await registerRejected({ rawBody: '' });

    expectProblem(answer, 400, 'MALFORMED_BODY');
  });
});

describe('limits body validation', () => {
  it.each([
    ['the string "100"', 'perTransaction', '100'],
    ['a float 1.5', 'daily', 1.5],
    ['a negative amount', 'monthly', -1],
    ['10000000000 (one above the maximum)', 'monthly', 10_000_000_000],
    ['null', 'daily', null],
    ['a boolean', 'perTransaction', true],
  ])('refuses %s for %s', async (_, field, value) => {
    const answer = await updateRejected({ body: { ...VALID_LIMITS, [field]: value } });

    expectValidationFailed(answer, field);
  });

  it.each(['perTransaction', 'daily', 'monthly'])('refuses a body without %s', async (field) => {
    const body: Record<string, number> = { ...VALID_LIMITS };
    delete body[field];

    const answer = await updateRejected({ body });

    expectValidationFailed(answer, field);
  });

  it('refuses an unknown field', async () => {
    const answer = await updateRejected({ body: { ...VALID_LIMITS, weekly: 1 } });

    expectValidationFailed(answer, 'weekly');
  });

  it('refuses KONA’s own field names (once/day/month) in place of the app’s', async () => {
    const answer = await updateRejected({ body: { once: 1, day: 2, month: 3 } });

    expectValidationFailed(answer, 'perTransaction');
  });
});

describe('limits field messages: presence, then type, then range, one message per field', () => {
  it.each([
    ['"x"', '"x"', 'daily must be an integer number'],
    ['null', 'null', 'daily must be an integer number'],
    ['1.5', '1.5', 'daily must be an integer number'],
    ['0.5', '0.5', 'daily must be an integer number'],
    ['true', 'true', 'daily must be an integer number'],
    ['-1', '-1', 'daily must not be less than 0'],
    ['10000000000', '10000000000', 'daily must not be greater than 9999999999'],
  ])(
    'answers %s for daily with exactly one message, the real problem',
    async (_, daily, message) => {
      const rawBody = `{"perTransaction":300000,"daily":${daily},"monthly":5000000}`;

      const answer = await updateRejected({ rawBody });

      expectProblem(answer, 400, 'VALIDATION_FAILED');
      expect(answer.body.errors).toEqual([{ field: 'daily', message }]);
    },
  );

  it('answers a missing daily with "daily is required"', async () => {
    const answer = await updateRejected({ rawBody: '{"perTransaction":300000,"monthly":5000000}' });

    expectProblem(answer, 400, 'VALIDATION_FAILED');
    expect(answer.body.errors).toEqual([{ field: 'daily', message: 'daily is required' }]);
  });
});

describe('numbers that would change when read', () => {
  it.each([
    ['1e-400 (would become 0, "unlimited")', '1e-400', '0'],
    ['1.0000000000000001 (would become 1)', '1.0000000000000001', '1'],
    ['9999999999.0000001 (would become 9999999999)', '9999999999.0000001', '9999999999'],
    ['1e400 (would become Infinity)', '1e400', 'Infinity'],
    ['9007199254740993 (would become 9007199254740992)', '9007199254740993', '9007199254740992'],
  ])('refuses %s, naming the field', async (_, daily, read) => {
    const rawBody = `{"perTransaction":300000,"daily":${daily},"monthly":5000000}`;

    const answer = await updateRejected({ rawBody });

    expectProblem(answer, 400, 'VALIDATION_FAILED');
    expect(answer.body.errors).toEqual([
      {
        field: 'daily',
        message: `daily must be a number that reads exactly as written: ${daily} would become ${read}`,
      },
    ]);
  });

  it.each(['1e3', '1.0E3', '1000.000', '1000.0'])(
    'accepts %s as exactly 1000 (an integer written with a point or an exponent)',
    async (daily) => {
      const member = newMember();
      const rawBody = `{"perTransaction":300000,"daily":${daily},"monthly":5000000}`;

      const answer = await updateLimits(gateway, member, { rawBody });

      expect(answer.status).toBe(200);
      expect((answer.body.limits as Record<string, unknown>).daily).toBe(1000);
      expect(sandbox.calls.list({ userId: member })).toHaveLength(1);
    },
  );
});

describe('par validation', () => {
  it.each([
    ['of 26 characters', PAR.slice(0, 26)],
    ['of 28 characters', `${PAR}0`],
    ['with a dash', `${PAR.slice(0, 13)}-${PAR.slice(14)}`],
    ['with an underscore', `${PAR.slice(0, 13)}_${PAR.slice(14)}`],
  ])('refuses a par %s', async (_, par) => {
    const answer = await updateRejected({ par });

    expectValidationFailed(answer, 'par');
  });

  it('refuses a par with a non-ASCII letter', async () => {
    const par = encodeURIComponent(`${PAR.slice(0, 26)}é`);

    const answer = await updateRejected({ par });

    expectValidationFailed(answer, 'par');
  });

  // Fastify's router refuses these before any route code runs: the answer must still be a
  // problem (not Fastify's own {error, code: FST_ERR_*, message} JSON) and KONA stays untouched.
  it('refuses a par longer than the router accepts (100 characters) with a 400 problem', async () => {
    const answer = await updateRejected({ par: 'A'.repeat(100) });

    expectProblem(answer, 400, 'VALIDATION_FAILED');
    expect(answer.text).not.toContain('FST_ERR');
  });

  it('refuses a par with a broken percent-escape (%ZZ) with a 400 problem', async () => {
    const answer = await updateRejected({ par: `%ZZ${PAR.slice(3)}` });

    expectProblem(answer, 400, 'VALIDATION_FAILED');
    expect(answer.text).not.toContain('FST_ERR');
  });
});

describe('body framing', () => {
  it('refuses a body over 16 KiB with 413 PAYLOAD_TOO_LARGE', async () => {
    const rawBody = JSON.stringify({ identityVerified: true, padding: 'x'.repeat(16 * 1024) });

    const answer = await registerRejected({ rawBody });

    expectProblem(answer, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('accepts a body just under 16 KiB as far as its size goes (then refuses the field)', async () => {
    const envelope = JSON.stringify({ identityVerified: true, padding: '' });
    const rawBody = JSON.stringify({
      identityVerified: true,
      padding: 'x'.repeat(16 * 1024 - envelope.length),
    });

    const answer = await registerRejected({ rawBody });

    expect(Buffer.byteLength(rawBody)).toBe(16 * 1024);
    expectValidationFailed(answer, 'padding');
  });

  it.each([
    ['text/plain', '{"identityVerified":true}'],
    ['application/x-www-form-urlencoded', 'identityVerified=true'],
    ['application/xml', '<identityVerified>true</identityVerified>'],
  ])('refuses content type %s with 415 UNSUPPORTED_MEDIA_TYPE', async (contentType, rawBody) => {
    const answer = await registerRejected({ rawBody, contentType });

    expectProblem(answer, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('accepts application/json with a charset parameter', async () => {
    const member = newMember();

    const answer = await register(gateway, member, {
      rawBody: '{"identityVerified":true}',
      contentType: 'application/json; charset=utf-8',
    });

    expect(answer.status).toBe(200);
  });

  it('refuses unparseable JSON with 400 MALFORMED_BODY', async () => {
    const answer = await registerRejected({ rawBody: '{"identityVerified":' });

    expectProblem(answer, 400, 'MALFORMED_BODY');
  });

  it('refuses JSON with a trailing comma with 400 MALFORMED_BODY', async () => {
    const answer = await registerRejected({ rawBody: '{"identityVerified":true,}' });

    expectProblem(answer, 400, 'MALFORMED_BODY');
  });

  it.each([
    ['__proto__', '{"identityVerified":true,"__proto__":{"x":1}}'],
    ['constructor.prototype', '{"identityVerified":true,"constructor":{"prototype":{}}}'],
  ])('refuses a %s key with a 4xx, never a 500', async (_, rawBody) => {
    const answer = await registerRejected({ rawBody });

    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expectProblem(answer, answer.status, answer.body.code as string);
    expect(answer.body.code).not.toBe('INTERNAL');
  });

  it.each([
    ['arrays', 5000, '[', ']'],
    ['objects in a known field', 2500, '{"a":', '}'],
  ])(
    'refuses a body of %s nested %i deep with 400 (and does not fall over)',
    async (_, depth, open, close) => {
      const rawBody = `{"identityVerified":${open.repeat(depth)}1${close.repeat(depth)}}`;

      const answer = await registerRejected({ rawBody });

      expect(Buffer.byteLength(rawBody)).toBeLessThan(16 * 1024);
      expectProblem(answer, 400, answer.body.code as string);
    },
  );

  it('refuses a body nested just past the bound, with brackets inside strings ignored', async () => {
    const rawBody = `{"identityVerified":true,"x":"${'['.repeat(100)}","y":${'['.repeat(20)}${']'.repeat(20)}}`;

    const answer = await registerRejected({ rawBody });

    expect(answer.status).toBe(400);
    expectProblem(answer, 400, answer.body.code as string);
  });
});

describe('Idempotency-Key', () => {
  it('refuses a request without one with 400 IDEMPOTENCY_KEY_MISSING', async () => {
    const answer = await registerRejected({ key: null });

    expectProblem(answer, 400, 'IDEMPOTENCY_KEY_MISSING');
  });

  it.each([
    ['of 256 characters', 'k'.repeat(256)],
    ['with a space', 'two words'],
    // UTF-8 bytes of "kéy", as a client that does not encode headers would send them.
    ['with non-ASCII bytes', Buffer.from('kéy', 'utf8').toString('latin1')],
    ['with a tab inside', 'a\tb'],
    ['with an unterminated quote', '"abc'],
    ['that is an empty quoted string', '""'],
  ])('refuses a key %s with 400 IDEMPOTENCY_KEY_INVALID', async (_, key) => {
    const answer = await registerRejected({ key });

    expectProblem(answer, 400, 'IDEMPOTENCY_KEY_INVALID');
  });

  it('accepts a key of exactly 255 visible ASCII characters', async () => {
    const answer = await register(gateway, newMember(), { key: `~!${'k'.repeat(253)}` });

    expect(answer.status).toBe(200);
  });

  it('treats the quoted key "abc" as the bare key abc: the second request replays', async () => {
    const member = newMember();
    const token = await tokenFor(member);
    const request = { token, body: { identityVerified: true } };

    const first = await callGateway(gateway, 'POST', REGISTRATION, { ...request, key: '"abc"' });
    const second = await callGateway(gateway, 'POST', REGISTRATION, { ...request, key: 'abc' });

    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.text).toBe(first.text);
    expect(second.headers.get('x-correlation-id')).toBe(first.headers.get('x-correlation-id'));
    expect(sandbox.calls.list({ userId: member })).toHaveLength(1);
  });

  it('is checked on the limits update too', async () => {
    const answer = await updateRejected({ key: null });

    expectProblem(answer, 400, 'IDEMPOTENCY_KEY_MISSING');
  });
});

describe('routes', () => {
  it.each([
    ['GET', '/v1/nope'],
    ['POST', '/v1/me/real-name-registrations'],
    ['PUT', `/v1/me/cards/${PAR}/limit`],
  ] as const)('answers %s %s with a 404 NOT_FOUND problem', async (method, path) => {
    const member = newMember();

    const answer = await withoutReachingKona(sandbox, member, async () =>
      callGateway(gateway, method, path, {
        token: await tokenFor(member),
        key: 'k',
        body: method === 'GET' ? undefined : { identityVerified: true },
      }),
    );

    expectProblem(answer, 404, 'NOT_FOUND');
  });

  it('does not serve the limits route with POST', async () => {
    const member = newMember();

    const answer = await withoutReachingKona(sandbox, member, async () =>
      callGateway(gateway, 'POST', limitsPath(), {
        token: await tokenFor(member),
        key: 'k',
        body: VALID_LIMITS,
      }),
    );

    expect([404, 405]).toContain(answer.status);
    expectProblem(
      answer,
      answer.status,
      answer.status === 404 ? 'NOT_FOUND' : 'METHOD_NOT_ALLOWED',
    );
  });
});
