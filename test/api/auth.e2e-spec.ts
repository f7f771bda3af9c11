/**
 * Who may call the mobile API: every refused token gets 401 UNAUTHENTICATED with a Bearer
 * challenge and never reaches KONA; the member id comes from the configured claim only. Tokens
 * that jose would refuse to create (alg none, unsafe numeric subjects, no exp) are written and
 * signed by hand here with node:crypto.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import type { RunningSandbox } from '../sandbox/sandbox.server';
import type { RunningGateway } from '../support/gateway';
import {
  callGateway,
  gatewayEnv,
  newKey,
  newMember,
  startGateway,
  TEST_JWT_SECRET,
  tokenFor,
} from '../support/gateway';
import {
  expectProblem,
  limitsPath,
  REGISTRATION,
  VALID_LIMITS,
  withoutReachingKona,
  type Answer,
} from './mobile-api';
import { useStack } from '../support/stack';

let sandbox: RunningSandbox;
let gateway: RunningGateway;

useStack((started) => ({ sandbox, gateway } = started));

/** A registration with this Authorization header (or none), otherwise valid. */
function registerWith(
  target: RunningGateway,
  authorization: string | undefined,
  body: unknown = { identityVerified: true },
): Promise<Answer> {
  return callGateway(target, 'POST', REGISTRATION, {
    key: newKey(),
    body,
    headers: authorization === undefined ? {} : { authorization },
  });
}

/** 401 UNAUTHENTICATED with a Bearer challenge, and KONA never heard of `member`. */
async function expectRefused(
  member: string,
  authorization: string | undefined,
  target: RunningGateway = gateway,
): Promise<void> {
  const answer = await withoutReachingKona(sandbox, member, () =>
    registerWith(target, authorization),
  );

  expectProblem(answer, 401, 'UNAUTHENTICATED');
  expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
  const token = authorization?.split(' ')[1];
  if (token) expect(answer.text).not.toContain(token);
}

/** Accepted: 200, and KONA got exactly one call for `member`. */
async function expectAcceptedFor(
  member: string,
  authorization: string,
  target: RunningGateway = gateway,
): Promise<void> {
  const answer = await registerWith(target, authorization);

  expect(answer.status).toBe(200);
  const calls = sandbox.calls.list({ userId: member });
  expect(calls).toHaveLength(1);
  expect(calls[0].rawBody).toContain(`"userId":${member}`);
}

const inAnHour = (): number => Math.floor(Date.now() / 1000) + 3600;

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** A compact JWS from hand-written JSON, HMAC-signed with `hash` (or unsigned for alg none). */
function handMadeToken(
  header: string,
  payload: string,
  hash: 'sha256' | 'sha512' | null,
  secret = TEST_JWT_SECRET,
): string {
  const input = `${base64url(header)}.${base64url(payload)}`;
  const signature = hash === null ? '' : createHmac(hash, secret).update(input).digest('base64url');
  return `${input}.${signature}`;
}

const HS256 = '{"alg":"HS256","typ":"JWT"}';

describe('the bearer token', () => {
  it('accepts a valid HS256 token and takes the member from sub', async () => {
    const member = newMember();

    await expectAcceptedFor(member, `Bearer ${await tokenFor(member)}`);
  });

  it('accepts a hand-made HS256 token, so the hand-made refusals below can fail', async () => {
    const member = newMember();
    const token = handMadeToken(HS256, `{"sub":"${member}","exp":${inAnHour()}}`, 'sha256');

    await expectAcceptedFor(member, `Bearer ${token}`);
  });

  it('accepts sub as a JSON integer when it is a safe integer', async () => {
    const member = newMember();
    const token = handMadeToken(HS256, `{"sub":${member},"exp":${inAnHour()}}`, 'sha256');

    await expectAcceptedFor(member, `Bearer ${token}`);
  });

  it('refuses a request without Authorization', async () => {
    await expectRefused(newMember(), undefined);
  });

  it('refuses a valid token under another scheme', async () => {
    const member = newMember();

    await expectRefused(member, `Token ${await tokenFor(member)}`);
  });

  it('refuses Basic credentials', async () => {
    await expectRefused(newMember(), `Basic ${Buffer.from('user:pass').toString('base64')}`);
  });

  it.each(['garbage', 'a.b.c', 'eyJhbGciOiJIUzI1NiJ9.e30.', 'Bearer'])(
    'refuses the garbage token %p',
    async (token) => {
      await expectRefused(newMember(), `Bearer ${token}`);
    },
  );

  it('refuses a token signed with another secret', async () => {
    const member = newMember();
    const token = await tokenFor(member, { secret: 'another-secret-that-is-also-32-bytes-long' });

    await expectRefused(member, `Bearer ${token}`);
  });

  it('refuses an expired token', async () => {
    const member = newMember();
    const token = await tokenFor(member, { expiresIn: Math.floor(Date.now() / 1000) - 600 });

    await expectRefused(member, `Bearer ${token}`);
  });

  it('refuses a token without exp', async () => {
    const member = newMember();
    const now = Math.floor(Date.now() / 1000);
    const token = handMadeToken(HS256, `{"sub":"${member}","iat":${now}}`, 'sha256');

    await expectRefused(member, `Bearer ${token}`);
  });

  it('refuses an unsigned token with alg none', async () => {
    const member = newMember();
    const token = handMadeToken(
      '{"alg":"none","typ":"JWT"}',
      `{"sub":"${member}","exp":${inAnHour()}}`,
      null,
    );

    await expectRefused(member, `Bearer ${token}`);
  });

  it('refuses HS512 signed with the right secret (the algorithm is pinned to HS256)', async () => {
    const member = newMember();
    const token = handMadeToken(
      '{"alg":"HS512","typ":"JWT"}',
      `{"sub":"${member}","exp":${inAnHour()}}`,
      'sha512',
    );

    await expectRefused(member, `Bearer ${token}`);
  });

  it.each([
    ['letters', 'abc'],
    ['zero', '0'],
    ['negative', '-1'],
    ['20 digits (above 9999999999999999999)', '10000000000000000000'],
    ['a decimal fraction', '12.5'],
    ['empty', ''],
  ])('refuses a sub that is not a member id: %s', async (_, sub) => {
    const token = handMadeToken(HS256, `{"sub":"${sub}","exp":${inAnHour()}}`, 'sha256');

    await expectRefused(newMember(), `Bearer ${token}`);
  });

  it('refuses sub 9007199254740993 as a JSON number: a double cannot hold its digits', async () => {
    const token = handMadeToken(HS256, `{"sub":9007199254740993,"exp":${inAnHour()}}`, 'sha256');

    await expectRefused('9007199254740993', `Bearer ${token}`);
    expect(sandbox.calls.list({ userId: '9007199254740992' })).toEqual([]);
  });

  it('accepts sub 9999999999999999999 as a string, the largest member id', async () => {
    const token = await tokenFor('9999999999999999999');

    await expectAcceptedFor('9999999999999999999', `Bearer ${token}`);
  });
});

describe('the member id', () => {
  it('is never taken from the registration body: a userId there is an unknown field', async () => {
    const member = newMember();
    const other = newMember();
    const token = await tokenFor(member);

    const answer = await withoutReachingKona(sandbox, other, () =>
      registerWith(gateway, `Bearer ${token}`, { identityVerified: true, userId: Number(other) }),
    );

    expectProblem(answer, 400, 'VALIDATION_FAILED');
    expect(answer.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'userId' })]),
    );
    expect(sandbox.calls.list({ userId: member })).toEqual([]);
  });

  it('is never taken from the limits body either', async () => {
    const member = newMember();
    const other = newMember();

    const answer = await withoutReachingKona(sandbox, other, async () =>
      callGateway(gateway, 'PUT', limitsPath(), {
        token: await tokenFor(member),
        key: newKey(),
        body: { ...VALID_LIMITS, memberId: other },
      }),
    );

    expectProblem(answer, 400, 'VALIDATION_FAILED');
    expect(answer.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'memberId' })]),
    );
    expect(sandbox.calls.list({ userId: member })).toEqual([]);
  });
});

describe('with AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE', () => {
  const ISSUER = 'https://id.kona-bff.test';
  const AUDIENCE = 'kona-bff-mobile';
  let strict: RunningGateway;

  beforeAll(async () => {
    strict = await startGateway(
      gatewayEnv(sandbox.url, { AUTH_JWT_ISSUER: ISSUER, AUTH_JWT_AUDIENCE: AUDIENCE }),
    );
  });

  afterAll(async () => {
    await strict?.close();
  });

  it('accepts a token from that issuer for that audience', async () => {
    const member = newMember();
    const token = await tokenFor(member, { claims: { iss: ISSUER, aud: AUDIENCE } });

    await expectAcceptedFor(member, `Bearer ${token}`, strict);
  });

  it.each([
    ['another issuer', { iss: 'https://evil.test', aud: AUDIENCE }],
    ['another audience', { iss: ISSUER, aud: 'another-app' }],
    ['no issuer', { aud: AUDIENCE }],
    ['no audience', { iss: ISSUER }],
  ])('refuses a token with %s', async (_, claims) => {
    const member = newMember();

    await expectRefused(member, `Bearer ${await tokenFor(member, { claims })}`, strict);
  });
});

describe('with AUTH_USER_ID_CLAIM=memberId', () => {
  let byClaim: RunningGateway;

  beforeAll(async () => {
    byClaim = await startGateway(gatewayEnv(sandbox.url, { AUTH_USER_ID_CLAIM: 'memberId' }));
  });

  afterAll(async () => {
    await byClaim?.close();
  });

  it('takes the member from the memberId claim, not from sub', async () => {
    const member = newMember();
    const decoy = newMember();
    const token = await tokenFor(decoy, { claims: { memberId: member } });

    await expectAcceptedFor(member, `Bearer ${token}`, byClaim);
    expect(sandbox.calls.list({ userId: decoy })).toEqual([]);
  });

  it('refuses a token with a member id in sub but no memberId claim', async () => {
    const member = newMember();

    await expectRefused(member, `Bearer ${await tokenFor(member)}`, byClaim);
  });
});

describe('with AUTH_JWKS_URL (RS256 and ES256 keys)', () => {
  let jwks: Server;
  let viaJwks: RunningGateway;
  let rsa: CryptoKey;
  let ec: CryptoKey;
  let impostor: CryptoKey;

  beforeAll(async () => {
    const rsaPair = await generateKeyPair('RS256');
    const ecPair = await generateKeyPair('ES256');
    rsa = rsaPair.privateKey;
    ec = ecPair.privateKey;
    impostor = (await generateKeyPair('RS256')).privateKey;
    const keys: JWK[] = [
      { ...(await exportJWK(rsaPair.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ecPair.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ];
    jwks = await serveJwks(keys);
    const { port } = jwks.address() as AddressInfo;
    viaJwks = await startGateway(
      gatewayEnv(sandbox.url, {
        AUTH_JWT_SECRET: undefined,
        AUTH_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      }),
    );
  });

  afterAll(async () => {
    await viaJwks?.close();
    jwks?.closeAllConnections();
    await new Promise((resolve) => jwks?.close(resolve));
  });

  function signed(member: string, alg: 'RS256' | 'ES256', kid: string, key: CryptoKey) {
    return new SignJWT({ sub: member })
      .setProtectedHeader({ alg, kid })
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key);
  }

  it('accepts a token signed by the RS256 key of the set', async () => {
    const member = newMember();

    await expectAcceptedFor(
      member,
      `Bearer ${await signed(member, 'RS256', 'rsa-1', rsa)}`,
      viaJwks,
    );
  });

  it('accepts a token signed by the ES256 key of the set', async () => {
    const member = newMember();

    await expectAcceptedFor(member, `Bearer ${await signed(member, 'ES256', 'ec-1', ec)}`, viaJwks);
  });

  it('refuses a token signed by another RS256 key that claims the set’s kid', async () => {
    const member = newMember();
    const token = await signed(member, 'RS256', 'rsa-1', impostor);

    await expectRefused(member, `Bearer ${token}`, viaJwks);
  });

  it('refuses an HS256 token: no shared secret is trusted in JWKS mode', async () => {
    const member = newMember();

    await expectRefused(member, `Bearer ${await tokenFor(member)}`, viaJwks);
  });
});

/** A JWKS endpoint on an ephemeral loopback port. */
async function serveJwks(keys: JWK[]): Promise<Server> {
  const body = JSON.stringify({ keys });
  const server = createServer((req, res) => {
    if (req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
