/**
 * The sandbox's card endpoints (card-list, card-status), its memory of card changes, and message
 * encryption, over real HTTP. Requests are signed by kona-signing.test-util.ts and JWEs are made and
 * opened here with jose directly, never with the sandbox's own code.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { KONA_OPERATIONS } from '../../src/konaplate/operations/kona-operations';
import { optionsFromEnv } from './env-options';
import { KONA_PATHS, SANDBOX_ENDPOINTS } from './kona-endpoints';
import {
  callKona,
  CARD_LIST_PATH,
  CARD_STATUS_PATH,
  cardListBody,
  cardStatusBody,
  LIMIT_PATH,
  limitBody,
  NAMEDCARD_PATH,
  namedcardBody,
} from './kona-signing.test-util';
import { startSandbox, type RunningSandbox } from './sandbox.server';

const NAMED_DEBIT = 'V0010013019123456789012345A';
const PREPAID = 'V0010013019123456789012345P';
const TERMINATED = 'V0010013019123456789012345T';
const FOREIGN = 'ZZZZ0013019123456789012345Z';

function rsaPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}
const pem = (key: KeyObject): string =>
  key.export({ type: key.type === 'private' ? 'pkcs8' : 'spki', format: 'pem' }).toString();

// KONA's pair (the sandbox holds the private half) and the partner's (the gateway's) pair.
const server = rsaPair();
const partner = rsaPair();

let plain: RunningSandbox;
let sealed: RunningSandbox;

beforeAll(async () => {
  plain = await startSandbox({ port: 0, quiet: true });
  sealed = await startSandbox({
    port: 0,
    quiet: true,
    serverPrivateKeyPem: pem(server.privateKey),
    partnerPublicKeyPem: pem(partner.publicKey),
  });
});
afterAll(async () => {
  await plain.close();
  await sealed.close();
});
beforeEach(() => {
  for (const sandbox of [plain, sealed]) {
    sandbox.calls.clear();
    sandbox.clearFaults();
    sandbox.resetCards();
  }
});

interface Card {
  par: string;
  balance: number;
  pendingAmount: number;
  isNamed: boolean;
  limits?: { once: number; day: number; month: number };
  status: string;
  [extra: string]: unknown;
}

async function listCards(
  sandbox: RunningSandbox,
  userId: string,
  restrict: { par?: string; physicalCardNo?: string } = {},
): Promise<{ status: number; code: unknown; cards: Card[] }> {
  const response = await callKona(sandbox.url, {
    path: CARD_LIST_PATH,
    body: cardListBody(userId, restrict),
  });
  const answer = (await response.json()) as { code: unknown; cardDataInfo?: Card[] };
  return { status: response.status, code: answer.code, cards: answer.cardDataInfo ?? [] };
}

async function setStatus(
  sandbox: RunningSandbox,
  userId: string,
  par: string,
  status: string,
): Promise<{ status: number; code: unknown }> {
  const response = await callKona(sandbox.url, {
    path: CARD_STATUS_PATH,
    body: cardStatusBody(userId, par, status),
  });
  const answer = (await response.json()) as { code: unknown };
  return { status: response.status, code: answer.code };
}

/** Opens an answer's encData with the partner's private key (jose, not the sandbox's code). */
async function decryptAnswer(text: string): Promise<string> {
  const { encData } = JSON.parse(text) as { encData: string };
  const { plaintext, protectedHeader } = await compactDecrypt(encData, partner.privateKey);
  expect(protectedHeader).toMatchObject({ alg: 'RSA-OAEP-256' });
  return new TextDecoder().decode(plaintext);
}

/** A request body encrypted for KONA's server key, as the gateway sends it. */
async function encryptRequest(
  plaintext: string,
  key: KeyObject = server.publicKey,
  alg: 'RSA-OAEP-256' | 'RSA-OAEP' = 'RSA-OAEP-256',
): Promise<string> {
  const jwe = await new CompactEncrypt(new TextEncoder().encode(plaintext))
    .setProtectedHeader({ alg, enc: 'A256GCM' })
    .encrypt(key);
  return JSON.stringify({ encData: jwe });
}

describe('routing from the operation descriptors', () => {
  it('implements every operation of KONA_OPERATIONS, at the path KONA documents', () => {
    expect(KONA_OPERATIONS.map((op) => op.name).sort()).toEqual([...SANDBOX_ENDPOINTS].sort());
    // The paths of KONA's pages, typed again on the test side on purpose.
    expect(KONA_PATHS).toEqual({
      namedcard: NAMEDCARD_PATH,
      'card-limit-update': LIMIT_PATH,
      'card-list': CARD_LIST_PATH,
      'card-status': CARD_STATUS_PATH,
    });
  });

  it('serves the new endpoints under the /open-api prefix too', async () => {
    const response = await callKona(plain.url, {
      path: '/open-api' + CARD_LIST_PATH,
      body: cardListBody('2000001'),
    });
    expect(response.status).toBe(200);
  });
});

describe('card list', () => {
  it('answers the default set for any member, with undocumented extra fields', async () => {
    const response = await callKona(plain.url, {
      path: CARD_LIST_PATH,
      body: cardListBody('8123456789012345678'),
    });
    const text = await response.text();
    const answer = JSON.parse(text) as { code: string; description: string; cardDataInfo: Card[] };

    expect(response.status).toBe(200);
    expect(answer).toMatchObject({ code: '000_000', description: 'Success' });
    expect(answer.cardDataInfo.map((card) => card.par)).toEqual([NAMED_DEBIT, PREPAID, TERMINATED]);
    const [debit, prepaid, terminated] = answer.cardDataInfo;
    expect(debit).toMatchObject({
      isNamed: true,
      balance: 1_250_000,
      pendingAmount: 0,
      limits: { once: 500_000, day: 1_000_000, month: 3_000_000 },
      status: 'ACTIVE',
    });
    expect(prepaid).toMatchObject({ isNamed: false, status: 'ACTIVE' });
    expect(prepaid.pendingAmount).toBeGreaterThan(0);
    expect(prepaid).not.toHaveProperty('limits');
    expect(terminated).toMatchObject({ isNamed: true, status: 'TERMINATED' });
    expect(terminated.limits).toBeDefined();
    for (const card of answer.cardDataInfo) {
      expect(card.par).toMatch(/^[A-Za-z0-9]{27}$/);
      expect(card.balance).toBeGreaterThanOrEqual(0);
      expect(card.balance).toBeLessThanOrEqual(9_999_999_999);
      // Fields KONA does not document, which a gateway must drop.
      expect(typeof card.productCode).toBe('string');
      expect(card.cardNo).toMatch(/^\d{4}-\d{2}\*\*-\*\*\*\*-\d{4}$/);
    }
    expect(text).toContain('"productCode":');
    expect(plain.calls.last()).toMatchObject({ userId: '8123456789012345678' });
  });

  it('answers an empty list for member 1000000, which has no cards', async () => {
    expect(await listCards(plain, '1000000')).toEqual({ status: 200, code: '000_000', cards: [] });
    const response = await callKona(plain.url, {
      path: CARD_LIST_PATH,
      body: cardListBody('1000000'),
    });
    expect(await response.text()).toBe(
      '{"code":"000_000","description":"Success","cardDataInfo":[]}',
    );
  });

  it('answers 001_006 for member 1001006, without cards', async () => {
    const response = await callKona(plain.url, {
      path: CARD_LIST_PATH,
      body: cardListBody('1001006'),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      code: '001_006',
      description: 'Wallet user not found',
    });
  });

  it('restricts the answer to the card named by par or physicalCardNo', async () => {
    const one = await listCards(plain, '2000001', { par: PREPAID });
    expect(one.cards.map((card) => card.par)).toEqual([PREPAID]);
    expect((await listCards(plain, '2000001', { par: FOREIGN })).cards).toEqual([]);
    expect((await listCards(plain, '1000000', { par: NAMED_DEBIT })).cards).toEqual([]);

    const byNumber = await listCards(plain, '2000001', { physicalCardNo: '9410123456781234' });
    expect(byNumber.cards.map((card) => card.par)).toEqual([NAMED_DEBIT]);
    expect(
      (await listCards(plain, '2000001', { physicalCardNo: '0000000000000000' })).cards,
    ).toEqual([]);
    // The full number is matched but never answered.
    expect(JSON.stringify(byNumber.cards)).not.toContain('9410123456781234');
  });

  const invalid: [string, string, RegExp][] = [
    ['userId as a string', '{"userId":"2000001"}', /body.userId must be a JSON number/],
    ['a missing userId', '{}', /missing field\(s\): userId/],
    ['an unknown field', '{"userId":2000001,"status":"ACTIVE"}', /unknown field\(s\): status/],
    ['a PAR of 26 characters', cardListBody('2000001', { par: 'A'.repeat(26) }), /exactly 27/],
    ['a null par', '{"userId":2000001,"par":null}', /body.par must be .* got null/],
    [
      'a physicalCardNo of 15 digits',
      cardListBody('2000001', { physicalCardNo: '941012345678123' }),
      /physicalCardNo must be a string of exactly 16 digits, got a string of 15/,
    ],
    [
      'a physicalCardNo as a number',
      '{"userId":2000001,"physicalCardNo":9410123456781234}',
      /physicalCardNo must be a string of exactly 16 digits, got the number/,
    ],
  ];

  it.each(invalid)('answers 000_002 for %s', async (_name, body, reason) => {
    const response = await callKona(plain.url, { path: CARD_LIST_PATH, body });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      code: '000_002',
      description: 'Invalid input parameter',
    });
    expect(response.headers.get('x-sandbox-reason')).toMatch(reason);
  });
});

describe('card status', () => {
  it('SUSPEND then RESUME: a later list shows SUSPENDED, then ACTIVE, for that member only', async () => {
    expect(await setStatus(plain, '2000101', NAMED_DEBIT, 'SUSPEND')).toEqual({
      status: 200,
      code: '000_000',
    });
    const after = await listCards(plain, '2000101');
    expect(after.cards.find((card) => card.par === NAMED_DEBIT)?.status).toBe('SUSPENDED');
    expect(after.cards.find((card) => card.par === PREPAID)?.status).toBe('ACTIVE');
    const other = await listCards(plain, '2000102');
    expect(other.cards.find((card) => card.par === NAMED_DEBIT)?.status).toBe('ACTIVE');

    // Suspending again is no error; RESUME lifts it.
    expect((await setStatus(plain, '2000101', NAMED_DEBIT, 'SUSPEND')).code).toBe('000_000');
    expect((await setStatus(plain, '2000101', NAMED_DEBIT, 'RESUME')).code).toBe('000_000');
    const resumed = await listCards(plain, '2000101', { par: NAMED_DEBIT });
    expect(resumed.cards.map((card) => card.status)).toEqual(['ACTIVE']);
  });

  it('forgets the changes on DELETE /__sandbox/cards', async () => {
    await setStatus(plain, '2000103', PREPAID, 'SUSPEND');
    const reset = await fetch(`${plain.url}/__sandbox/cards`, { method: 'DELETE' });
    expect(reset.status).toBe(204);
    expect((await listCards(plain, '2000103', { par: PREPAID })).cards[0].status).toBe('ACTIVE');
  });

  const codes: [string, string, string, string, number, string][] = [
    ['a PAR the member does not have', '2000104', FOREIGN, 'SUSPEND', 400, '003_021'],
    ['the terminated card', '2000104', TERMINATED, 'SUSPEND', 400, '003_022'],
    ['the terminated card (RESUME)', '2000104', TERMINATED, 'RESUME', 400, '003_022'],
    ['member 1000000 (no cards)', '1000000', NAMED_DEBIT, 'SUSPEND', 400, '003_021'],
    ['member 1001006', '1001006', NAMED_DEBIT, 'SUSPEND', 400, '001_006'],
    ['member 1003001', '1003001', NAMED_DEBIT, 'SUSPEND', 400, '003_001'],
    ['member 1000002', '1000002', NAMED_DEBIT, 'RESUME', 400, '000_002'],
    ['member 1999999', '1999999', NAMED_DEBIT, 'SUSPEND', 400, '999_999'],
    [
      'member 1003999 (a code of another endpoint)',
      '1003999',
      NAMED_DEBIT,
      'SUSPEND',
      400,
      '003_024',
    ],
    [
      'member 1011001 (its code is namedcard only)',
      '1011001',
      NAMED_DEBIT,
      'SUSPEND',
      200,
      '000_000',
    ],
  ];

  it.each(codes)('answers %s with %i %s', async (_name, userId, par, change, status, code) => {
    expect(await setStatus(plain, userId, par, change)).toEqual({ status, code });
    expect(plain.calls.last()).toMatchObject({ userId, answeredCode: code, tokenValid: true });
  });

  it('keeps the terminated card terminated in the list', async () => {
    await setStatus(plain, '2000105', TERMINATED, 'RESUME');
    expect((await listCards(plain, '2000105', { par: TERMINATED })).cards[0].status).toBe(
      'TERMINATED',
    );
  });

  const invalid: [string, string, RegExp][] = [
    [
      'status "suspended"',
      cardStatusBody('2000001', NAMED_DEBIT, 'suspended'),
      /"SUSPEND" or "RESUME"/,
    ],
    ['status "ACTIVE"', cardStatusBody('2000001', NAMED_DEBIT, 'ACTIVE'), /"SUSPEND" or "RESUME"/],
    ['a missing par', '{"userId":2000001,"status":"SUSPEND"}', /missing field\(s\): par/],
    ['a missing status', `{"userId":2000001,"par":"${NAMED_DEBIT}"}`, /missing field\(s\): status/],
    ['a PAR with a dash', cardStatusBody('2000001', 'A'.repeat(26) + '-'), /exactly 27/],
    [
      'an unknown field',
      `{"userId":2000001,"par":"${NAMED_DEBIT}","status":"SUSPEND","reason":"lost"}`,
      /unknown field\(s\): reason/,
    ],
  ];

  it.each(invalid)('answers 000_002 for %s, and changes nothing', async (_name, body, reason) => {
    const response = await callKona(plain.url, { path: CARD_STATUS_PATH, body });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      code: '000_002',
      description: 'Invalid input parameter',
    });
    expect(response.headers.get('x-sandbox-reason')).toMatch(reason);
    expect((await listCards(plain, '2000001', { par: NAMED_DEBIT })).cards[0].status).toBe(
      'ACTIVE',
    );
  });
});

describe('limit updates', () => {
  it('a list after a limit update shows the new limits of that card', async () => {
    const update = await callKona(plain.url, {
      path: LIMIT_PATH,
      body: limitBody('2000201', NAMED_DEBIT, '{"once":250000,"day":750000,"month":2500000}'),
    });
    expect(update.status).toBe(200);
    const listed = await listCards(plain, '2000201');
    expect(listed.cards.find((card) => card.par === NAMED_DEBIT)?.limits).toEqual({
      once: 250_000,
      day: 750_000,
      month: 2_500_000,
    });
    // Other cards and other members keep theirs.
    expect(listed.cards.find((card) => card.par === TERMINATED)?.limits).toEqual({
      once: 300_000,
      day: 600_000,
      month: 1_000_000,
    });
    expect((await listCards(plain, '2000202', { par: NAMED_DEBIT })).cards[0].limits).toEqual({
      once: 500_000,
      day: 1_000_000,
      month: 3_000_000,
    });
  });

  it('still succeeds for a PAR the member does not have, and lists nothing new', async () => {
    const update = await callKona(plain.url, {
      path: LIMIT_PATH,
      body: limitBody('2000203', FOREIGN),
    });
    expect(update.status).toBe(200);
    expect((await listCards(plain, '2000203', { par: FOREIGN })).cards).toEqual([]);
  });

  it('leaves the prepaid card without limits', async () => {
    await callKona(plain.url, { path: LIMIT_PATH, body: limitBody('2000204', PREPAID) });
    expect((await listCards(plain, '2000204', { par: PREPAID })).cards[0]).not.toHaveProperty(
      'limits',
    );
  });

  it('a refused limit update (member 1003024) changes nothing', async () => {
    const update = await callKona(plain.url, {
      path: LIMIT_PATH,
      body: limitBody('1003024', NAMED_DEBIT, '{"once":1,"day":2,"month":3}'),
    });
    expect(update.status).toBe(400);
    expect((await listCards(plain, '1003024', { par: NAMED_DEBIT })).cards[0].limits?.once).toBe(
      500_000,
    );
  });
});

describe('test members on the card endpoints', () => {
  const expected: [string, 'card-list' | 'card-status', number, string][] = [
    ['1001006', 'card-list', 400, '001_006'],
    ['1001006', 'card-status', 400, '001_006'],
    ['1999999', 'card-list', 400, '999_999'],
    ['1003999', 'card-list', 400, '003_021'],
    ['1003001', 'card-list', 200, '000_000'],
    ['1000002', 'card-list', 200, '000_000'],
    ['1003024', 'card-list', 200, '000_000'],
    ['1003024', 'card-status', 200, '000_000'],
    ['1011001', 'card-list', 200, '000_000'],
  ];

  it.each(expected)('member %s on %s answers %i %s', async (userId, endpoint, status, code) => {
    const answer =
      endpoint === 'card-list'
        ? await listCards(plain, userId)
        : await setStatus(plain, userId, NAMED_DEBIT, 'SUSPEND');
    expect(answer).toMatchObject({ status, code });
  });
});

describe('message encryption', () => {
  it('without keys the card list answers in plaintext', async () => {
    expect(plain.encrypted).toBe(false);
    const response = await callKona(plain.url, {
      path: CARD_LIST_PATH,
      body: cardListBody('2000301'),
    });
    expect(Object.keys((await response.json()) as object)).toEqual([
      'code',
      'description',
      'cardDataInfo',
    ]);
  });

  it('with keys the card list answer is {encData} only and decrypts to the plaintext answer', async () => {
    expect(sealed.encrypted).toBe(true);
    const body = cardListBody('2000302');
    const response = await callKona(sealed.url, { path: CARD_LIST_PATH, body });
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(text).toMatch(/^\{"encData":"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){4}"\}$/);
    const expected = await (await callKona(plain.url, { path: CARD_LIST_PATH, body })).text();
    expect(await decryptAnswer(text)).toBe(expected);
    expect(sealed.calls.last()).toMatchObject({ encryptedAnswer: true, answeredCode: '000_000' });
  });

  it('encrypts an error answer of the card list too (member 1001006), with its HTTP status', async () => {
    const response = await callKona(sealed.url, {
      path: CARD_LIST_PATH,
      body: cardListBody('1001006'),
    });
    expect(response.status).toBe(400);
    expect(JSON.parse(await decryptAnswer(await response.text()))).toEqual({
      code: '001_006',
      description: 'Wallet user not found',
    });
  });

  it('keeps the answers of operations KONA does not encrypt, and every refusal, in plaintext', async () => {
    const named = await callKona(sealed.url, { body: namedcardBody('2000303') });
    expect(await named.json()).toEqual({
      code: '000_000',
      description: 'Success',
      userId: 2000303,
    });
    const status = await callKona(sealed.url, {
      path: CARD_STATUS_PATH,
      body: cardStatusBody('2000303', NAMED_DEBIT),
    });
    expect(await status.json()).toEqual({ code: '000_000', description: 'Success' });
    const refused = await callKona(sealed.url, { path: CARD_LIST_PATH, body: '{"userId":"x"}' });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      code: '000_002',
      description: 'Invalid input parameter',
    });
  });

  it.each(['RSA-OAEP-256', 'RSA-OAEP'] as const)(
    'accepts an encrypted request (%s), the token signing the envelope as sent',
    async (alg) => {
      const inner = cardStatusBody('2000304', NAMED_DEBIT, 'SUSPEND');
      const body = await encryptRequest(inner, server.publicKey, alg);
      const response = await callKona(sealed.url, { path: CARD_STATUS_PATH, body });
      expect(response.status).toBe(200);
      expect(sealed.calls.last()).toMatchObject({
        rawBody: body,
        decryptedBody: inner,
        userId: '2000304',
        tokenValid: true,
      });
      const raw = await callKona(sealed.url, {
        path: CARD_LIST_PATH,
        body: await encryptRequest(cardListBody('2000304', { par: NAMED_DEBIT })),
      });
      const cards = (JSON.parse(await decryptAnswer(await raw.text())) as { cardDataInfo: Card[] })
        .cardDataInfo;
      expect(cards.map((card) => card.status)).toEqual(['SUSPENDED']);
    },
  );

  it('refuses a token over the plaintext of an encrypted request', async () => {
    const inner = cardListBody('2000305');
    const response = await callKona(sealed.url, {
      path: CARD_LIST_PATH,
      body: await encryptRequest(inner),
      signedBody: inner,
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('x-sandbox-reason')).toMatch(/MAC does not match/);
  });

  const undecryptable: [string, () => Promise<string>, RegExp][] = [
    [
      'a JWE for another key',
      () => encryptRequest(cardListBody('2000306'), rsaPair().publicKey),
      /encData does not decrypt \(ERR_JWE_DECRYPTION_FAILED\)/,
    ],
    ['a JWE that is not one', () => Promise.resolve('{"encData":"not.a.jwe"}'), /does not decrypt/],
    ['encData as a number', () => Promise.resolve('{"encData":42}'), /encData is not a string/],
    [
      'an envelope with other fields',
      async () => {
        const { encData } = JSON.parse(await encryptRequest(cardListBody('2000306'))) as {
          encData: string;
        };
        return JSON.stringify({ encData, userId: 2000306 });
      },
      /encData only, got also: userId/,
    ],
  ];

  it.each(undecryptable)('refuses %s loudly with 400 999_400', async (_name, make, reason) => {
    const response = await callKona(sealed.url, { path: CARD_LIST_PATH, body: await make() });
    const answer = (await response.json()) as { code: string; description: string };
    expect(response.status).toBe(400);
    expect(answer.code).toBe('999_400');
    expect(answer.description).toMatch(reason);
    expect(response.headers.get('x-sandbox-reason')).toMatch(reason);
    expect(sealed.calls.last()?.rejected).toMatch(reason);
  });

  it('refuses an encrypted request when it has no keys', async () => {
    const response = await callKona(plain.url, {
      path: CARD_LIST_PATH,
      body: await encryptRequest(cardListBody('2000307')),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-sandbox-reason')).toMatch(/no server private key/);
  });

  it('refuses one key without the other, and a key that does not load, at start', async () => {
    await expect(
      startSandbox({ port: 0, quiet: true, serverPrivateKeyPem: pem(server.privateKey) }),
    ).rejects.toThrow(/both/);
    await expect(
      startSandbox({
        port: 0,
        quiet: true,
        serverPrivateKeyPem: 'not a key',
        partnerPublicKeyPem: pem(partner.publicKey),
      }),
    ).rejects.toThrow(/does not load/);
  });

  it('reads the keys from the environment, directly or from *_FILE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-keys-'));
    try {
      const file = join(dir, 'server.pem');
      writeFileSync(file, pem(server.privateKey));
      expect(
        optionsFromEnv({
          SANDBOX_SERVER_PRIVATE_KEY_FILE: file,
          SANDBOX_PARTNER_PUBLIC_KEY: pem(partner.publicKey),
        }),
      ).toMatchObject({
        serverPrivateKeyPem: pem(server.privateKey),
        partnerPublicKeyPem: pem(partner.publicKey),
      });
      expect(() =>
        optionsFromEnv({ SANDBOX_SERVER_PRIVATE_KEY: 'x', SANDBOX_SERVER_PRIVATE_KEY_FILE: file }),
      ).toThrow(/both set/);
      expect(() =>
        optionsFromEnv({ SANDBOX_PARTNER_PUBLIC_KEY_FILE: join(dir, 'missing.pem') }),
      ).toThrow(/SANDBOX_PARTNER_PUBLIC_KEY_FILE: cannot read .*ENOENT/);
      expect(optionsFromEnv({})).not.toHaveProperty('serverPrivateKeyPem');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the garble fault', () => {
  it('corrupts encData so it no longer decrypts (set through the control API)', async () => {
    const set = await fetch(`${sealed.url}/__sandbox/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ mode: 'garble', times: 1 }),
    });
    expect(set.status).toBe(204);
    const response = await callKona(sealed.url, {
      path: CARD_LIST_PATH,
      body: cardListBody('2000401'),
    });
    const text = await response.text();
    expect(response.status).toBe(200);
    const { encData } = JSON.parse(text) as { encData: string };
    expect(encData.split('.')).toHaveLength(5);
    await expect(compactDecrypt(encData, partner.privateKey)).rejects.toThrow();
    expect(sealed.calls.last()).toMatchObject({ fault: 'garble', answeredCode: '000_000' });

    // Spent after one call: the next answer decrypts again.
    const next = await callKona(sealed.url, {
      path: CARD_LIST_PATH,
      body: cardListBody('2000401'),
    });
    expect(JSON.parse(await decryptAnswer(await next.text()))).toMatchObject({ code: '000_000' });
  });

  it('turns a plaintext answer into text that is not JSON', async () => {
    plain.setFault({ mode: 'garble' });
    const response = await callKona(plain.url, {
      path: CARD_LIST_PATH,
      body: cardListBody('2000402'),
    });
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).toMatch(/^\{'code':'000_000'/);
    expect(() => JSON.parse(text) as unknown).toThrow();
  });

  it('takes no latencyMs or status', () => {
    expect(() => {
      plain.setFault({ mode: 'garble', latencyMs: 10 });
    }).toThrow(/latencyMs/);
    expect(() => {
      plain.setFault({ mode: 'garble', status: 502 });
    }).toThrow(/status/);
  });
});
