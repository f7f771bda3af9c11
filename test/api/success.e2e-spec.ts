/**
 * The happy paths of the mobile API against the strict KONA sandbox: the sandbox checks every
 * header, the tran token and the body, so a call it logs as valid and unrejected is one KONA
 * would take. Member ids are checked on the raw bytes KONA received, never after a JSON.parse.
 */
import type { RunningSandbox } from '../sandbox/sandbox.server';
import type { RunningGateway } from '../support/gateway';
import { gatewayEnv, newMember, PAR, startGateway } from '../support/gateway';
import {
  CORRELATION_ID,
  expectUpstreamProblem,
  register,
  updateLimits,
  type Answer,
} from './mobile-api';
import { useStack } from '../support/stack';

const NAMEDCARD = '/api/v1/user/namedcard';
const LIMIT_UPDATE = '/api/v1/card/payment/limit/update';
/** Above signed 64-bit and above Number.MAX_SAFE_INTEGER: KONA's largest member id. */
const LARGEST_MEMBER = '9999999999999999999';
/** 2^53 + 1: the first integer a double cannot hold (JSON.parse makes it ...992). */
const UNSAFE_MEMBER = '9007199254740993';
/** KST is UTC+9 all year (no daylight saving). */
const KST_OFFSET_MS = 9 * 3_600_000;

let sandbox: RunningSandbox;
let gateway: RunningGateway;

useStack((started) => ({ sandbox, gateway } = started));

/** The one KONA call made for `member` since `fromSeq`, checked as KONA would take it. */
function acceptedCall(member: string, path: string, fromSeq = 0) {
  const calls = sandbox.calls.list({ userId: member }).filter((call) => call.seq > fromSeq);
  expect(calls).toHaveLength(1);
  const [call] = calls;
  expect(call).toMatchObject({ path, userId: member, tokenValid: true });
  expect(call.rejected).toBeUndefined();
  return call;
}

function expectCorrelatedWith(answer: Answer, correlationId: string | null): void {
  const header = answer.headers.get('x-correlation-id');
  expect(header).toMatch(CORRELATION_ID);
  expect(header).toHaveLength(20);
  expect(header).toBe(correlationId);
}

function lastSeq(): number {
  return sandbox.calls.last()?.seq ?? 0;
}

describe('POST /v1/me/real-name-registration', () => {
  it('registers the real name and answers exactly {realNameRegistered: true}', async () => {
    const member = newMember();

    const answer = await register(gateway, member);

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json\b/);
    expect(answer.body).toStrictEqual({ realNameRegistered: true });
    const call = acceptedCall(member, NAMEDCARD);
    expect(call.httpStatus).toBe(200);
    expect(call.answeredCode).toBe('000_000');
    expectCorrelatedWith(answer, call.correlationId);
  });

  it('sends member 9999999999999999999 to KONA digit-exact as a bare JSON number', async () => {
    const from = lastSeq();

    const answer = await register(gateway, LARGEST_MEMBER);

    expect(answer.status).toBe(200);
    const call = acceptedCall(LARGEST_MEMBER, NAMEDCARD, from);
    expect(call.rawBody).toMatch(/"userId":9999999999999999999[,}]/);
    expectCorrelatedWith(answer, call.correlationId);
  });

  it('sends member 9007199254740993 (2^53 + 1) digit-exact, not rounded to ...992', async () => {
    const from = lastSeq();

    const answer = await register(gateway, UNSAFE_MEMBER);

    expect(answer.status).toBe(200);
    const call = acceptedCall(UNSAFE_MEMBER, NAMEDCARD, from);
    expect(call.rawBody).toMatch(/"userId":9007199254740993[,}]/);
  });

  it('maps identityVerified true to isCheckNamedYn "Y"', async () => {
    const member = newMember();

    await register(gateway, member, { body: { identityVerified: true } });

    const call = acceptedCall(member, NAMEDCARD);
    expect(call.rawBody).toContain('"isCheckNamedYn":"Y"');
    expect(call.rawBody).not.toContain('identityVerified');
  });

  it('maps identityVerified false to isCheckNamedYn "N", which KONA refuses with 011_001', async () => {
    const member = newMember();

    const answer = await register(gateway, member, { body: { identityVerified: false } });

    const call = acceptedCall(member, NAMEDCARD);
    expect(call.rawBody).toContain('"isCheckNamedYn":"N"');
    expect(call.answeredCode).toBe('011_001');
    expectUpstreamProblem(answer, 422, 'IDENTITY_VERIFICATION_REQUIRED', sandbox, member);
  });

  it('derives the correlation id and X-KM-Tran-Time from one instant of the KST clock', async () => {
    const member = newMember();
    const before = wallClock(new Date(), KST_OFFSET_MS);

    await register(gateway, member);

    const after = wallClock(new Date(), KST_OFFSET_MS);
    const call = acceptedCall(member, NAMEDCARD);
    expect(call.timeZone).toBe('KST');
    expect(call.tranTime! >= before && call.tranTime! <= after).toBe(true);
    expect(call.correlationId?.slice(0, 12)).toBe(call.tranTime?.slice(2));
  });
});

describe('PUT /v1/me/cards/{par}/limits', () => {
  it('updates the limits and answers exactly {limits: {perTransaction, daily, monthly}}', async () => {
    const member = newMember();
    const limits = { perTransaction: 300_000, daily: 1_000_000, monthly: 9_999_999_999 };

    const answer = await updateLimits(gateway, member, { body: limits });

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json\b/);
    expect(answer.body).toStrictEqual({
      limits: { perTransaction: 300_000, daily: 1_000_000, monthly: 9_999_999_999 },
    });
    const call = acceptedCall(member, LIMIT_UPDATE);
    expect(call.httpStatus).toBe(200);
    expectCorrelatedWith(answer, call.correlationId);
  });

  it('maps perTransaction/daily/monthly to once/day/month and passes the par', async () => {
    const member = newMember();

    await updateLimits(gateway, member, {
      body: { perTransaction: 111, daily: 2222, monthly: 33333 },
    });

    const call = acceptedCall(member, LIMIT_UPDATE);
    const sent = JSON.parse(call.rawBody) as Record<string, unknown>;
    expect(sent).toStrictEqual({
      userId: Number(member),
      par: PAR,
      limits: { once: 111, day: 2222, month: 33333 },
    });
    expect(call.rawBody).toContain(`"userId":${member}`);
  });

  it('passes zero (unlimited) through for every limit', async () => {
    const member = newMember();
    const zero = { perTransaction: 0, daily: 0, monthly: 0 };

    const answer = await updateLimits(gateway, member, { body: zero });

    expect(answer.status).toBe(200);
    expect(answer.body).toStrictEqual({ limits: zero });
    const call = acceptedCall(member, LIMIT_UPDATE);
    expect(call.rawBody).toContain('"limits":{"once":0,"day":0,"month":0}');
  });

  it('passes a lower-case par exactly as given', async () => {
    const member = newMember();
    const par = 'abcdefghijklmnopqrstuvwxyz0';

    const answer = await updateLimits(gateway, member, { par });

    expect(answer.status).toBe(200);
    expect(acceptedCall(member, LIMIT_UPDATE).rawBody).toContain(`"par":"${par}"`);
  });

  it('sends member 9999999999999999999 to KONA digit-exact as a bare JSON number', async () => {
    const from = lastSeq();

    const answer = await updateLimits(gateway, LARGEST_MEMBER);

    expect(answer.status).toBe(200);
    const call = acceptedCall(LARGEST_MEMBER, LIMIT_UPDATE, from);
    expect(call.rawBody).toMatch(/"userId":9999999999999999999[,}]/);
    expectCorrelatedWith(answer, call.correlationId);
  });

  it('sends member 9007199254740993 (2^53 + 1) digit-exact, not rounded to ...992', async () => {
    const from = lastSeq();

    const answer = await updateLimits(gateway, UNSAFE_MEMBER);

    expect(answer.status).toBe(200);
    const call = acceptedCall(UNSAFE_MEMBER, LIMIT_UPDATE, from);
    expect(call.rawBody).toMatch(/"userId":9007199254740993[,}]/);
  });
});

describe('with KONAPLATE_TIME_ZONE=UTC', () => {
  let utcGateway: RunningGateway;

  beforeAll(async () => {
    utcGateway = await startGateway(gatewayEnv(sandbox.url, { KONAPLATE_TIME_ZONE: 'UTC' }));
  });

  afterAll(async () => {
    await utcGateway?.close();
  });

  it('declares UTC and keeps the clock within the skew the sandbox allows in that zone', async () => {
    const member = newMember();

    const registration = await register(utcGateway, member);
    const limits = await updateLimits(utcGateway, member);

    expect([registration.status, limits.status]).toEqual([200, 200]);
    const calls = sandbox.calls.list({ userId: member });
    expect(calls.map((call) => call.path)).toEqual([NAMEDCARD, LIMIT_UPDATE]);
    for (const call of calls) {
      expect(call).toMatchObject({ timeZone: 'UTC', tokenValid: true });
      expect(call.rejected).toBeUndefined();
      expect(call.correlationId?.slice(0, 12)).toBe(call.tranTime?.slice(2));
    }
  });

  it('writes X-KM-Tran-Time as the UTC wall clock, not the KST one', async () => {
    const member = newMember();
    const before = wallClock(new Date(), 0);

    await register(utcGateway, member);

    const after = wallClock(new Date(), 0);
    const [call] = sandbox.calls.list({ userId: member });
    expect(call.tranTime! >= before && call.tranTime! <= after).toBe(true);
  });
});

/** yyyyMMddHHmmss of `date` at a fixed offset from UTC, from the ISO string (not from src/). */
function wallClock(date: Date, offsetMs: number): string {
  return new Date(date.getTime() + offsetMs).toISOString().slice(0, 19).replace(/[-T:]/g, '');
}
