/**
 * The card screen against the sandbox, encrypted answers included: list the member's cards,
 * suspend and resume a lost one, and every documented KONA verdict of the two routes.
 */
import type { RunningSandbox } from '../sandbox/sandbox.server';
import type { RunningGateway } from '../support/gateway';
import { callGateway, newKey, newMember, PAR, tokenFor } from '../support/gateway';
import { messageKeys } from '../support/message-keys';
import { useStack } from '../support/stack';
import { CORRELATION_ID, expectProblem, expectUpstreamProblem } from './mobile-api';

const CARDS = '/v1/me/cards';
const statusPath = (par: string = PAR) => `/v1/me/cards/${par}/status`;
/** The sandbox's terminated card in every member's default set. */
const TERMINATED_PAR = 'V0010013019123456789012345T';

const keys = messageKeys();
let sandbox: RunningSandbox;
let gateway: RunningGateway;

useStack((started) => ({ sandbox, gateway } = started), keys.gatewayEnv, keys.sandboxOptions);

async function listCards(member: string) {
  return callGateway(gateway, 'GET', CARDS, { token: await tokenFor(member) });
}

async function setStatus(
  member: string,
  status: string,
  options: { key?: string; par?: string } = {},
) {
  return callGateway(gateway, 'PUT', statusPath(options.par), {
    token: await tokenFor(member),
    key: options.key ?? newKey(),
    body: { status },
  });
}

type Card = { par: string; status?: string; [field: string]: unknown };
const cardOf = (answer: { body: Record<string, unknown> }, par: string) =>
  (answer.body.cards as Card[]).find((card) => card.par === par);

describe('GET /v1/me/cards', () => {
  it("lists the member's cards from KONA's encrypted answer", async () => {
    const member = newMember();

    const answer = await listCards(member);

    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-correlation-id')).toMatch(CORRELATION_ID);
    const cards = answer.body.cards as Card[];
    expect(cards.length).toBeGreaterThanOrEqual(2);
    expect(cardOf(answer, PAR)).toMatchObject({ named: true, status: 'active' });
    expect(cardOf(answer, PAR)?.limits).toEqual({
      perTransaction: expect.any(Number) as unknown,
      daily: expect.any(Number) as unknown,
      monthly: expect.any(Number) as unknown,
    });
    const prepaid = cards.find((card) => card.named === false);
    expect(prepaid).toBeDefined();
    expect(prepaid).not.toHaveProperty('limits');
    expect(prepaid!.pendingAmount as number).toBeGreaterThan(0);
  });

  it('reads an answer that was encrypted for the partner key', async () => {
    const member = newMember();

    const answer = await listCards(member);

    expect(answer.status).toBe(200);
    expect(sandbox.calls.list({ userId: member }).map((call) => call.encryptedAnswer)).toEqual([
      true,
    ]);
  });

  it('passes no field KONA does not document through to the app', async () => {
    const answer = await listCards(newMember());

    for (const card of answer.body.cards as Card[]) {
      for (const field of Object.keys(card)) {
        expect(['par', 'named', 'balance', 'pendingAmount', 'limits', 'status']).toContain(field);
      }
    }
  });

  it('is never cached and needs no Idempotency-Key', async () => {
    const answer = await listCards(newMember());

    expect(answer.headers.get('cache-control')).toBe('private, no-store');
    expect(answer.headers.get('idempotent-replayed')).toBeNull();
  });

  it('answers {"cards": []} for a member without cards', async () => {
    const answer = await listCards('1000000');

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ cards: [] });
  });

  it('answers 404 WALLET_USER_NOT_FOUND for KONA 001_006', async () => {
    const answer = await listCards('1001006');

    expectUpstreamProblem(answer, 404, 'WALLET_USER_NOT_FOUND', sandbox, '1001006');
  });

  it('answers 502 UPSTREAM_ERROR, never 500, when the encrypted answer is garbled', async () => {
    const member = newMember();
    sandbox.setFault({ mode: 'garble', userId: member });

    const answer = await listCards(member);

    expectProblem(answer, 502, 'UPSTREAM_ERROR');
    expect(answer.headers.get('x-correlation-id')).toMatch(CORRELATION_ID);
  });

  it('counts against the rate limit: RateLimit headers on the answer', async () => {
    const answer = await listCards(newMember());

    expect(answer.headers.get('ratelimit-limit')).toMatch(/^\d+$/);
  });
});

describe('PUT /v1/me/cards/{par}/status', () => {
  it('suspends a card, and the list then shows it suspended; resuming shows it active', async () => {
    const member = newMember();

    const suspended = await setStatus(member, 'suspended');
    const afterSuspend = await listCards(member);
    const resumed = await setStatus(member, 'active');
    const afterResume = await listCards(member);

    expect(suspended.status).toBe(200);
    expect(suspended.body).toEqual({ status: 'suspended' });
    expect(cardOf(afterSuspend, PAR)?.status).toBe('suspended');
    expect(resumed.body).toEqual({ status: 'active' });
    expect(cardOf(afterResume, PAR)?.status).toBe('active');
  });

  it('sends KONA SUSPEND / RESUME for the card, with the member id as a bare number', async () => {
    const member = newMember();

    await setStatus(member, 'suspended');
    await setStatus(member, 'active');

    const bodies = sandbox.calls
      .list({ userId: member })
      .filter((call) => call.path.endsWith('/api/v1/card/status'))
      .map((call) => call.rawBody);
    expect(bodies).toEqual([
      `{"userId":${member},"par":"${PAR}","status":"SUSPEND"}`,
      `{"userId":${member},"par":"${PAR}","status":"RESUME"}`,
    ]);
  });

  it('replays a repeated suspend with Idempotent-Replayed: true and no second KONA call', async () => {
    const member = newMember();
    const key = newKey();
    const first = await setStatus(member, 'suspended', { key });

    const second = await setStatus(member, 'suspended', { key });

    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.text).toBe(first.text);
    expect(sandbox.calls.list({ userId: member })).toHaveLength(1);
  });

  it('needs an Idempotency-Key', async () => {
    const answer = await callGateway(gateway, 'PUT', statusPath(), {
      token: await tokenFor(newMember()),
      body: { status: 'suspended' },
    });

    expectProblem(answer, 400, 'IDEMPOTENCY_KEY_MISSING');
  });

  it.each(['SUSPEND', 'Suspended', 'lost', '', null, true])(
    'refuses status %p before KONA with a message naming the allowed values',
    async (status) => {
      const member = newMember();

      const answer = await callGateway(gateway, 'PUT', statusPath(), {
        token: await tokenFor(member),
        key: newKey(),
        body: { status },
      });

      expectProblem(answer, 400, 'VALIDATION_FAILED');
      expect(answer.text).toContain('suspended, active');
      expect(sandbox.calls.list({ userId: member })).toEqual([]);
    },
  );

  it.each([
    ['a PAR the member does not have', 404, 'CARD_NOT_FOUND', '', 'ZZZZ0000000000000000000000Z'],
    ['the terminated card', 409, 'CARD_TERMINATED', '', TERMINATED_PAR],
    ['a wallet user KONA does not know', 404, 'WALLET_USER_NOT_FOUND', '1001006', PAR],
    ['invalid card information', 422, 'CARD_INVALID', '1003001', PAR],
  ])('answers %s with %i %s', async (_, status, code, who, par) => {
    const member = who === '' ? newMember() : who;

    const answer = await setStatus(member, 'suspended', { par });

    expectUpstreamProblem(answer, status, code, sandbox, member);
  });
});

describe('with a partner key other than the one KONA encrypts for', () => {
  let other: RunningGateway;
  const wrong = messageKeys();
  useStack(
    (started) => ({ gateway: other } = started),
    { ...keys.gatewayEnv, KONAPLATE_CLIENT_PRIVATE_KEY: wrong.partner.privateKeyPem },
    keys.sandboxOptions,
  );

  it('cannot read the answer: 502 UPSTREAM_ERROR, not a plaintext read and not a 500', async () => {
    const answer = await callGateway(other, 'GET', CARDS, { token: await tokenFor(newMember()) });

    expectProblem(answer, 502, 'UPSTREAM_ERROR');
  });
});

describe('without message encryption keys', () => {
  let plainSandbox: RunningSandbox;
  let plain: RunningGateway;
  useStack((started) => ({ sandbox: plainSandbox, gateway: plain } = started));

  it('answers the card list 503 ENCRYPTION_NOT_CONFIGURED without calling KONA', async () => {
    const member = newMember();

    const answer = await callGateway(plain, 'GET', CARDS, { token: await tokenFor(member) });

    expectProblem(answer, 503, 'ENCRYPTION_NOT_CONFIGURED');
    expect(plainSandbox.calls.list({ userId: member })).toEqual([]);
  });

  it('still serves the routes that need no encryption', async () => {
    const answer = await callGateway(plain, 'PUT', statusPath(), {
      token: await tokenFor(newMember()),
      key: newKey(),
      body: { status: 'suspended' },
    });

    expect(answer.status).toBe(200);
  });
});
