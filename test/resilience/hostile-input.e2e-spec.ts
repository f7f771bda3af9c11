/**
 * Hostile input from outside, property-based (fast-check): whatever bytes, content types, header
 * values and path segments arrive, the gateway answers a 2xx or a documented 4xx problem, never a
 * 5xx, and an input it refuses never reaches KONA. Each property also has an oracle written here,
 * independently of src/, for when an input must be accepted and when it must be refused.
 *
 * Requests go one at a time, so the KONA calls a request made are the sandbox call-log entries
 * with a sequence number above the last one seen before it was sent.
 */
import fc from 'fast-check';
import type { CallLogEntry } from '../sandbox/call-log';
import type { RunningSandbox } from '../sandbox/sandbox.server';
import type { RunningGateway } from '../support/gateway';
import { newKey, newMember, PAR, tokenFor } from '../support/gateway';
import { CARD_LIMIT_UPDATE } from '../../src/konaplate/operations/card-limit.operation';
import { KONA_OPERATIONS } from '../../src/konaplate/operations/kona-operations';
import { NAMED_CARD } from '../../src/konaplate/operations/named-card.operation';
import { expectNoInternals, limitsPath, REGISTRATION } from '../api/mobile-api';
import { useStack } from '../support/stack';

/** The 4xx problem codes the README documents ("Errors"), with their status. */
const DOCUMENTED: Readonly<Record<string, number>> = {
  UNAUTHENTICATED: 401,
  VALIDATION_FAILED: 400,
  MALFORMED_BODY: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_MISSING: 400,
  IDEMPOTENCY_KEY_INVALID: 400,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_KEY_IN_USE: 409,
  RATE_LIMITED: 429,
  NOT_FOUND: 404,
  WALLET_USER_NOT_FOUND: 404,
  IDENTITY_VERIFICATION_REQUIRED: 422,
  ACCOUNT_NOT_LINKED: 422,
  INVALID_INPUT: 400,
  CARD_INVALID: 422,
  CARD_NOT_FOUND: 404,
  CARD_TERMINATED: 409,
};

/** KONA's own verdicts, from the operations' code tables: the only 4xx that may follow a call. */
const KONA_VERDICTS = new Set<string>(KONA_OPERATIONS.flatMap((op) => Object.values(op.codes)));

/** Sandbox members with a fixed KONA error: random member ids must not be one of them. */
const TEST_MEMBERS = new Set(['1001006', '1011001', '1003024', '1000002', '1999999']);

const BODY_LIMIT = 16 * 1024;
const MAX_LIMIT = 9_999_999_999;
const RUNS = { numRuns: 150, interruptAfterTimeLimit: 15_000 };
const PROPERTY_TIMEOUT_MS = 25_000;

let sandbox: RunningSandbox;
let gateway: RunningGateway;

useStack((started) => ({ sandbox, gateway } = started));

interface Hostile {
  method: 'POST' | 'PUT';
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

interface Outcome {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, unknown>;
  /** The KONA calls made while this request was served. */
  calls: CallLogEntry[];
}

/** Sends exactly these bytes and headers (fetch adds nothing but Host, length and encoding). */
async function send(request: Hostile): Promise<Outcome> {
  const before = sandbox.calls.last()?.seq ?? 0;
  const response = await fetch(`${gateway.url}${request.path}`, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* asserted below */
  }
  const calls = sandbox.calls.list().filter((call) => call.seq > before);
  return { status: response.status, headers: response.headers, text, body, calls };
}

/**
 * The invariant of every answer: a 2xx after exactly one KONA call, or a documented problem+json
 * 4xx; a refusal of the gateway's own never reaches KONA, KONA's verdicts come after one call.
 */
function expectSafe(outcome: Outcome): void {
  expect(outcome.status).toBeLessThan(500);
  if (outcome.status < 300) {
    expect(outcome.status).toBe(200);
    expect(outcome.calls).toHaveLength(1);
    return;
  }
  expect(outcome.headers.get('content-type')).toMatch(/^application\/problem\+json\b/);
  const code = outcome.body.code as string;
  expect({ code, status: outcome.status }).toEqual({ code, status: DOCUMENTED[code] });
  expectNoInternals(outcome.text);
  expect(outcome.calls).toHaveLength(KONA_VERDICTS.has(code) ? 1 : 0);
}

/** A refusal by the gateway itself: a documented 4xx and no KONA call. */
function expectRefused(outcome: Outcome, codes?: string[]): void {
  expectSafe(outcome);
  expect(outcome.status).toBeGreaterThanOrEqual(400);
  expect(KONA_VERDICTS.has(outcome.body.code as string)).toBe(false);
  if (codes) expect(codes).toContain(outcome.body.code);
}

// ---- the two routes, with everything valid but the part under test ----

/** Every route that takes a body, from the operation descriptors (named by operation). */
const BODY_OPERATIONS = KONA_OPERATIONS.filter((op) => op.route.method !== 'GET');
type Route = string;
const ROUTES: Route[] = BODY_OPERATIONS.map((op) => op.name);
const REGISTRATION_ROUTE = NAMED_CARD.name;
const LIMITS_ROUTE = CARD_LIMIT_UPDATE.name;
const operationOf = (route: Route) => BODY_OPERATIONS.find((op) => op.name === route)!;

/** A valid body for each route: the oracle's knowledge, written here (see `bodyVerdict`). */
const VALID_BODY: Record<Route, string> = {
  namedcard: '{"identityVerified":true}',
  'card-limit-update': '{"perTransaction":300000,"daily":1000000,"monthly":5000000}',
  'card-status': '{"status":"active"}',
};

async function request(
  route: Route,
  parts: { member?: string; body?: string | Uint8Array; headers?: Record<string, string> } = {},
): Promise<Hostile> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${await tokenFor(parts.member ?? newMember())}`,
    'idempotency-key': newKey(),
    'content-type': 'application/json',
    ...parts.headers,
  };
  return {
    method: operationOf(route).route.method as Hostile['method'],
    path: operationOf(route).route.path.replace(':par', PAR),
    headers,
    body: parts.body ?? VALID_BODY[route],
  };
}

// ---- the oracle for bodies: what a strict reading of the API contract accepts ----

/** What the server reads from the bytes: UTF-8, bad sequences replaced (as Buffer does). */
function decoded(body: string | Uint8Array): string {
  return Buffer.from(body).toString('utf8');
}

type Verdict = { accept: true; identityVerified?: boolean } | { accept: false; tooLarge?: boolean };

function bodyVerdict(route: Route, body: string | Uint8Array): Verdict {
  // What fetch puts on the wire: the bytes as given, or the string as UTF-8.
  if (Buffer.from(body).length > BODY_LIMIT) return { accept: false, tooLarge: true };
  const text = decoded(body);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { accept: false };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { accept: false };
  const record = value as Record<string, unknown>;
  if (route === 'card-status') {
    const ok =
      sameKeys(record, ['status']) && ['active', 'suspended'].includes(record.status as string);
    return ok ? { accept: true } : { accept: false };
  }
  if (route === REGISTRATION_ROUTE) {
    const ok =
      sameKeys(record, ['identityVerified']) && typeof record.identityVerified === 'boolean';
    return ok
      ? { accept: true, identityVerified: record.identityVerified as boolean }
      : { accept: false };
  }
  // An amount is accepted when the number as written is exactly an integer in range, read from
  // its source text (`1e3` and `1000.0` are 1000; `1e-400`, `0.5`, `1.0000000000000001` are not
  // integers, whatever JSON.parse rounds them to).
  const fields = ['perTransaction', 'daily', 'monthly'];
  // Any other shape is refused: decided before the reviver pass, which deep nesting would overflow.
  if (!sameKeys(record, fields)) return { accept: false };
  const written = JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' ? new NumberToken(context?.source ?? String(value)) : value,
  ) as Record<string, unknown>;
  const ok =
    sameKeys(record, fields) &&
    fields.every((field) => {
      const token = written[field];
      if (!(token instanceof NumberToken)) return false;
      const amount = exactInteger(token.source);
      return amount !== undefined && amount >= 0n && amount <= BigInt(MAX_LIMIT);
    });
  return ok ? { accept: true } : { accept: false };
}

/** A JSON number as written in the body. */
class NumberToken {
  constructor(readonly source: string) {}
}

/**
 * The integer a JSON number token denotes exactly, or undefined when it denotes no integer;
 * anything of more than 12 digits is returned as 10^12 (far past every limit).
 */
function exactInteger(token: string): bigint | undefined {
  const parts = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(token);
  if (!parts) return undefined;
  const [, sign, whole, fraction = '', exponent = '0'] = parts;
  let digits = `${whole}${fraction}`.replace(/^0+/, '');
  let scale = Number(exponent) - fraction.length;
  while (digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    scale++;
  }
  if (digits === '') return 0n;
  if (scale < 0) return undefined;
  if (digits.length + scale > 12) return 10n ** 12n;
  const magnitude = BigInt(digits) * 10n ** BigInt(scale);
  return sign === '-' ? -magnitude : magnitude;
}

function sameKeys(record: Record<string, unknown>, keys: string[]): boolean {
  const own = Object.keys(record);
  return own.length === keys.length && keys.every((key) => Object.hasOwn(record, key));
}

/** The oracle's verdict applied to an answer. */
function expectBodyVerdict(route: Route, body: string | Uint8Array, outcome: Outcome): void {
  const verdict = bodyVerdict(route, body);
  if (!verdict.accept) {
    expectRefused(outcome, verdict.tooLarge ? ['PAYLOAD_TOO_LARGE'] : undefined);
    return;
  }
  expectSafe(outcome);
  // KONA answers 011_001 to a registration without verified identity: that is its verdict.
  if (verdict.identityVerified === false)
    expect(outcome.body.code).toBe('IDENTITY_VERIFICATION_REQUIRED');
  else expect(outcome.status).toBe(200);
}

// ---- arbitraries ----

const POISON_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
];

/** Number literals as written on the wire: huge, negative zero, exponents, fractions. */
const numberLiteral = fc.oneof(
  fc.integer({ min: -1, max: MAX_LIMIT + 1 }).map(String),
  fc.constantFrom(
    '-0',
    '0.0',
    '1.0',
    '1e3',
    '1E400',
    '-1e400',
    '1e-400',
    '9999999999',
    '10000000000',
    '9999999999.0000001',
    '99999999999999999999999999999',
    '0.5',
    '-1',
    '00',
    '+1',
    '0x10',
    'NaN',
    'Infinity',
  ),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
);

/** Bodies close to valid, so the accepting side of the oracle is exercised too. */
const nearlyValid: Record<Route, fc.Arbitrary<string>> = {
  'card-status': fc
    .oneof(
      fc.constantFrom(
        '"active"',
        '"suspended"',
        '"SUSPEND"',
        '"Active"',
        '"active "',
        'true',
        'null',
      ),
      fc.json(),
    )
    .map((status) => `{"status":${status}}`),
  namedcard: fc
    .tuple(
      fc.oneof(fc.constantFrom('true', 'false'), fc.json()),
      fc.option(fc.tuple(fc.constantFrom(...POISON_KEYS, 'x'), fc.json()), { nil: undefined }),
    )
    .map(([flag, extra]) =>
      extra
        ? `{"identityVerified":${flag},${JSON.stringify(extra[0])}:${extra[1]}}`
        : `{"identityVerified":${flag}}`,
    ),
  'card-limit-update': fc
    .tuple(numberLiteral, numberLiteral, numberLiteral, fc.boolean())
    .map(([once, day, month, reorder]) =>
      reorder
        ? `{"monthly":${month},"perTransaction":${once},"daily":${day}}`
        : `{"perTransaction":${once},"daily":${day},"monthly":${month}}`,
    ),
};

/** `{"a":[{"a":[…]}]}` style nesting around a valid field, up to far past the depth bound. */
const deeplyNested = fc
  .tuple(fc.integer({ min: 1, max: 3000 }), fc.constantFrom('[', '{"a":'), fc.boolean())
  .map(([depth, open, balanced]) => {
    const close = open === '[' ? ']' : '}';
    const inner = `${open.repeat(depth)}1${balanced ? close.repeat(depth) : ''}`;
    return `{"identityVerified":true,"nested":${inner}}`;
  });

/** `__proto__` / `constructor.prototype` at any depth, the classic prototype poisoning. */
const poisoned = fc
  .tuple(fc.constantFrom(...POISON_KEYS), fc.integer({ min: 0, max: 5 }), fc.json({ maxDepth: 2 }))
  .map(([key, depth, payload]) => {
    const inner = key === 'constructor' ? `{"prototype":${payload}}` : payload;
    const poison = `{${JSON.stringify(key)}:${inner}}`;
    return `{"identityVerified":true,"x":${'{"y":'.repeat(depth)}${poison}${'}'.repeat(depth)}}`;
  });

const anyBody = (route: Route): fc.Arbitrary<string | Uint8Array> =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    fc.json(),
    fc.object().map((value) => JSON.stringify(value)),
    fc.anything().map((value) => JSON.stringify(value) ?? ''),
    fc.uint8Array({ maxLength: 300 }),
    fc
      .string({ maxLength: 40 })
      .map((s) => `{"identityVerified":true,"pad":"${s}${'x'.repeat(BODY_LIMIT)}"}`),
    nearlyValid[route],
    nearlyValid[route],
    deeplyNested,
    poisoned,
  );

/** A header value fetch will send: Latin-1 without CR, LF or NUL (fetch refuses those). */
const headerValue = (maxLength = 300) =>
  fc.string({
    unit: fc
      .oneof(
        fc.integer({ min: 0x20, max: 0x7e }),
        fc.integer({ min: 0x80, max: 0xff }),
        fc.constant(0x09),
      )
      .map((code) => String.fromCharCode(code)),
    maxLength,
  });

/** Fetch trims leading and trailing HTTP whitespace from header values. */
function trimmed(value: string): string {
  return value.replace(/^[\t ]+|[\t ]+$/g, '');
}

// ---- the properties ----

describe('the harness itself', () => {
  it('has a valid body and an oracle for every route that takes a body', () => {
    expect(Object.keys(VALID_BODY).sort()).toEqual([...ROUTES].sort());
    expect(Object.keys(nearlyValid).sort()).toEqual([...ROUTES].sort());
  });

  it.each(ROUTES)(
    'sees a valid %s reach KONA once, so "never reaches KONA" can fail',
    async (route) => {
      const outcome = await send(await request(route));

      expect(outcome.status).toBe(200);
      expect(outcome.calls).toHaveLength(1);
    },
  );
});

const anyRoute = fc.constantFrom(...ROUTES);

describe('any body', () => {
  it(
    'is accepted exactly when the contract allows it, else refused before KONA',
    async () => {
      const routeAndBody = anyRoute.chain((route) =>
        anyBody(route).map((body) => ({ route, body })),
      );
      await fc.assert(
        fc.asyncProperty(routeAndBody, async ({ route, body }) => {
          const outcome = await send(await request(route, { body }));

          expectBodyVerdict(route, body, outcome);
        }),
        RUNS,
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

/** A valid body of `route` with `extra` (a one-member JSON object) merged in as text. */
function withExtra(route: Route, extra: string): string {
  return `${VALID_BODY[route].slice(0, -1)},${extra.slice(1)}`;
}

const eachRoute = <T extends unknown[]>(cases: T[]): [Route, ...T][] =>
  ROUTES.flatMap((route) => cases.map((rest): [Route, ...T] => [route, ...rest]));

describe('prototype-poisoning keys', () => {
  it.each(
    eachRoute([
      ['__proto__', '{"__proto__":{"isAdmin":true}}'],
      ['constructor.prototype', '{"constructor":{"prototype":{"isAdmin":true}}}'],
      ['__proto__ three levels down', '{"x":{"y":{"__proto__":{"isAdmin":true}}}}'],
    ]),
  )('on %s: the JSON parser itself refuses %s (400 MALFORMED_BODY)', async (route, _, extra) => {
    const outcome = await send(await request(route, { body: withExtra(route, extra) }));

    expectRefused(outcome, ['MALFORMED_BODY']);
  });

  it.each(
    eachRoute([
      ['constructor (not an object)', '{"constructor":1}'],
      ['prototype', '{"prototype":{"isAdmin":true}}'],
    ]),
  )('on %s: refuses %s rather than dropping it silently', async (route, _, extra) => {
    const outcome = await send(await request(route, { body: withExtra(route, extra) }));

    expectRefused(outcome, ['VALIDATION_FAILED', 'MALFORMED_BODY']);
  });
});

describe('fields named after Object.prototype members', () => {
  it.each(
    eachRoute([
      ['hasOwnProperty', '{"hasOwnProperty":false}'],
      ['toString', '{"toString":"x"}'],
      ['valueOf', '{"valueOf":0}'],
    ]),
  )('on %s: refuses an unknown field %s like any other unknown field', async (route, _, extra) => {
    const outcome = await send(await request(route, { body: withExtra(route, extra) }));

    expectRefused(outcome, ['VALIDATION_FAILED']);
  });
});

describe('any content type', () => {
  it(
    'is read only when it is application/json (any parameters); anything else is refused',
    async () => {
      const contentType = fc.oneof(
        fc.constantFrom(
          'application/json',
          'Application/JSON; charset=utf-8',
          'application/json;',
          'text/plain',
          'text/json',
          'application/jsonx',
          'application/vnd.api+json',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/json, text/plain',
          '*/*',
          '',
        ),
        headerValue(100),
        headerValue(40).map((params) => `application/json;${params}`),
      );
      await fc.assert(
        fc.asyncProperty(anyRoute, contentType, async (route, type) => {
          const outcome = await send(await request(route, { headers: { 'content-type': type } }));

          expectSafe(outcome);
          const media = trimmed(type).split(';')[0].trim().toLowerCase();
          if (media !== 'application/json') expectRefused(outcome, ['UNSUPPORTED_MEDIA_TYPE']);
        }),
        RUNS,
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('any Idempotency-Key', () => {
  it(
    'passes with 1-255 visible ASCII characters; anything else is a 400 before KONA',
    async () => {
      const key = fc.oneof(
        headerValue(300),
        fc.string({
          unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
          minLength: 250,
          maxLength: 260,
        }),
        fc.string({ maxLength: 30 }).map((s) => `"${s}"`),
      );
      await fc.assert(
        fc.asyncProperty(anyRoute, key, async (route, value) => {
          const outcome = await send(
            await request(route, { headers: { 'idempotency-key': value } }),
          );

          const sent = trimmed(value);
          if (sent === '') expectRefused(outcome, ['IDEMPOTENCY_KEY_MISSING']);
          else if (/[^\x21-\x7e]/.test(sent)) expectRefused(outcome, ['IDEMPOTENCY_KEY_INVALID']);
          else if (!sent.startsWith('"') && sent.length <= 255) expect(outcome.status).toBe(200);
          else if (!sent.startsWith('"')) expectRefused(outcome, ['IDEMPOTENCY_KEY_INVALID']);
          // A quoted key (RFC 8941 string) passes or fails on its content: either is safe.
          expectSafe(outcome);
        }),
        RUNS,
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('any Authorization', () => {
  const segment = fc
    .base64String({ maxLength: 60 })
    .map((s) => s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
  const memberIds = fc.stringMatching(/^[1-9][0-9]{0,18}$/).filter((id) => !TEST_MEMBERS.has(id));

  it(
    'that is not a valid token is 401 with a Bearer challenge, before KONA',
    async () => {
      const garbage = fc.oneof(
        headerValue(300),
        headerValue(200).map((value) => `Bearer ${value}`),
        fc.tuple(segment, segment, segment).map((parts) => `Bearer ${parts.join('.')}`),
        fc.constantFrom('Bearer', 'Bearer ', 'bearer x.y.z', 'Basic dXNlcjpwYXNz', 'Bearer a.b.'),
      );
      await fc.assert(
        fc.asyncProperty(anyRoute, garbage, async (route, value) => {
          const outcome = await send(await request(route, { headers: { authorization: value } }));

          expectRefused(outcome, ['UNAUTHENTICATED']);
          expect(outcome.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
        }),
        RUNS,
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'signed with the right key passes exactly when its sub is a member id, which KONA then gets',
    async () => {
      const sub = fc.oneof(
        memberIds,
        memberIds.map((id) => `0${id}`),
        fc.constantFrom('0', '-1', '10000000000000000000', ' 1', '1 ', '１２３', '1e3', ''),
        fc.jsonValue(),
      );
      await fc.assert(
        fc.asyncProperty(anyRoute, sub, async (route, value) => {
          const token = await tokenFor('', { claims: { sub: value } });
          const outcome = await send(
            await request(route, { headers: { authorization: `Bearer ${token}` } }),
          );

          const isMemberId =
            (typeof value === 'string' && /^[1-9][0-9]{0,18}$/.test(value)) ||
            (typeof value === 'number' && Number.isSafeInteger(value) && value > 0);
          expectSafe(outcome);
          if (!isMemberId) expectRefused(outcome, ['UNAUTHENTICATED']);
          else if (!TEST_MEMBERS.has(String(value))) {
            expect(outcome.status).toBe(200);
            expect(outcome.calls[0].userId).toBe(String(value));
          }
        }),
        RUNS,
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('any card reference in the path', () => {
  const nearlyPar = fc.stringMatching(/^[A-Za-z0-9]{25,29}$/);

  it(
    'passes exactly a 27-letter-or-digit PAR, percent-encoded or not; anything else is refused',
    async () => {
      const segment = fc.oneof(
        nearlyPar,
        fc.string({ unit: 'grapheme', maxLength: 80 }),
        fc.string({ maxLength: 80 }),
        // Past the router's 64-character bound for a path parameter.
        fc.stringMatching(/^[A-Za-z0-9]{60,120}$/),
      );
      await fc.assert(
        fc.asyncProperty(segment, async (par) => {
          const base = await request(LIMITS_ROUTE);
          const outcome = await send({ ...base, path: limitsPath(encodeURIComponent(par)) });

          if (/^[A-Za-z0-9]{27}$/.test(par)) expect(outcome.status).toBe(200);
          else expectRefused(outcome, ['VALIDATION_FAILED', 'NOT_FOUND']);
        }),
        RUNS,
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'refuses raw path segments, broken percent-escapes included, with a problem+json 4xx',
    async () => {
      const urlChar = fc.constantFrom(
        ..."%%%%AZaz09-._~!$&'()*+,;=:@".split(''),
        '%2',
        '%zz',
        '%E0%A4',
        '%00',
        '%2F',
        '%25',
      );
      const segment = fc.oneof(
        fc.array(urlChar, { minLength: 1, maxLength: 30 }).map((chars) => chars.join('')),
        nearlyPar,
      );
      await fc.assert(
        fc.asyncProperty(segment, async (raw) => {
          const base = await request(LIMITS_ROUTE);
          const outcome = await send({ ...base, path: `/v1/me/cards/${raw}/limits` });

          if (/^[A-Za-z0-9]{27}$/.test(raw)) expect(outcome.status).toBe(200);
          else expectRefused(outcome);
        }),
        RUNS,
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it.each([
    ['a broken percent-escape (%)', '%'],
    ['a broken percent-escape (%E0%A4%A)', '%E0%A4%A'],
    ['65 characters, past the router’s bound', 'A'.repeat(65)],
  ])('answers %s in the path with a problem+json 4xx, not Fastify’s own', async (_, par) => {
    const base = await request(LIMITS_ROUTE);

    const outcome = await send({ ...base, path: `/v1/me/cards/${par}/limits` });

    expectRefused(outcome, ['VALIDATION_FAILED', 'NOT_FOUND']);
    expect(outcome.headers.get('x-content-type-options')).toBe('nosniff');
    expect(outcome.text).not.toContain(par);
  });
});

describe('security headers and CORS', () => {
  /** What @fastify/helmet sets by default (helmet's documentation), and no X-Powered-By. */
  function expectHelmet(headers: Headers): void {
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(headers.get('x-dns-prefetch-control')).toBe('off');
    expect(headers.get('x-powered-by')).toBeNull();
  }

  it('sets them on a success', async () => {
    const outcome = await send(await request(REGISTRATION_ROUTE));

    expect(outcome.status).toBe(200);
    expectHelmet(outcome.headers);
  });

  it('sets them on a problem answer and on the probes', async () => {
    const refused = await send(
      await request(REGISTRATION_ROUTE, { headers: { authorization: 'x' } }),
    );
    const live = await fetch(`${gateway.url}/health/live`);
    await live.text();

    expect(refused.status).toBe(401);
    expectHelmet(refused.headers);
    expectHelmet(live.headers);
  });

  it('grants no cross-origin access by default, to a simple request or a preflight', async () => {
    const origin = 'https://evil.example';
    const simple = await send(await request(REGISTRATION_ROUTE, { headers: { origin } }));
    const preflight = await fetch(`${gateway.url}${REGISTRATION}`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, idempotency-key, content-type',
      },
    });
    await preflight.text();

    expect(simple.status).toBe(200);
    for (const headers of [simple.headers, preflight.headers]) {
      expect(headers.get('access-control-allow-origin')).toBeNull();
      expect(headers.get('access-control-allow-methods')).toBeNull();
      expect(headers.get('access-control-allow-credentials')).toBeNull();
    }
    expect(preflight.status).toBeGreaterThanOrEqual(400);
    expect(preflight.status).toBeLessThan(500);
  });
});

describe('over-long headers', () => {
  it.each([
    ['a 20 KB cookie', { cookie: `session=${'x'.repeat(20_000)}` }],
    ['a 20 KB Authorization', { authorization: `Bearer ${'x'.repeat(20_000)}` }],
    ['a 20 KB Idempotency-Key', { 'idempotency-key': 'k'.repeat(20_000) }],
    [
      '200 headers of 100 bytes',
      Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`x-h${i}`, 'v'.repeat(100)])),
    ],
  ])('answers %s with 431 (or another 4xx), never a 5xx, and keeps serving', async (_, headers) => {
    const outcome = await send(await request(REGISTRATION_ROUTE, { headers }));

    expect(outcome.status).toBeGreaterThanOrEqual(400);
    expect(outcome.status).toBeLessThan(500);
    expect(outcome.calls).toEqual([]);
    expect((await send(await request(REGISTRATION_ROUTE))).status).toBe(200);
  });
});
