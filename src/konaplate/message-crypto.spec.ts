import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, decodeProtectedHeader } from 'jose';
import { isLosslessNumber, parse } from 'lossless-json';
import { SandboxCrypto } from '../../test/sandbox/sandbox-crypto';
import { decodeEnvelope } from './kona-wire';
import {
  type KonaEncryptionSettings,
  KonaMessageCrypto,
  MessageDecryptionError,
} from './message-crypto';

/** A fresh RSA-2048 key pair as PEM (PKCS#8 private, SPKI public), as KONA issues them. */
function rsaPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privatePem: privateKey, publicPem: publicKey };
}

const partner = rsaPair();
const server = rsaPair();
const stranger = rsaPair();

function settings(overrides: Partial<KonaEncryptionSettings> = {}): KonaEncryptionSettings {
  return {
    clientPrivateKeyPem: partner.privatePem,
    serverPublicKeyPem: server.publicPem,
    alg: 'RSA-OAEP-256',
    enc: 'A128GCM',
    ...overrides,
  };
}

/** A compact JWE built with jose directly, as KONA would send it; independent of the code under test. */
async function jweFor(
  publicPem: string,
  plaintext: string,
  header: { alg: string; enc: string } = { alg: 'RSA-OAEP-256', enc: 'A128GCM' },
): Promise<string> {
  return new CompactEncrypt(new TextEncoder().encode(plaintext))
    .setProtectedHeader(header)
    .encrypt(createPublicKey(publicPem));
}

async function rejectionOf(promise: Promise<unknown>): Promise<MessageDecryptionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof MessageDecryptionError)) {
    throw new Error(`expected a MessageDecryptionError, got ${String(error)}`);
  }
  return error;
}

// A fixed sentence and at most a jose code: nothing from the message itself can fit.
const SAFE_MESSAGE = /^KONA answer could not be decrypted( \(ERR_J(WE|OSE)_[A-Z_]+\))?$/;

describe('KonaMessageCrypto.encryptBody', () => {
  it('returns {"encData":"<compact JWE>"} that the server private key decrypts to the exact plaintext', async () => {
    // Arrange
    const crypto = await KonaMessageCrypto.create(settings());
    const plaintext = '{"userId":9999999999999999999,"isCheckNamedYn":"Y"}';

    // Act
    const body = await crypto.encryptBody(plaintext);

    // Assert
    const match = /^\{"encData":"([A-Za-z0-9_.-]+)"\}$/.exec(body);
    expect(match).not.toBeNull();
    const opened = await compactDecrypt(match![1], createPrivateKey(server.privatePem));
    expect(new TextDecoder().decode(opened.plaintext)).toBe(plaintext);
    expect(opened.protectedHeader).toEqual({ alg: 'RSA-OAEP-256', enc: 'A128GCM' });
  });

  it('writes the configured alg and enc (RSA-OAEP, A256GCM) into the protected header', async () => {
    // Arrange
    const crypto = await KonaMessageCrypto.create(settings({ alg: 'RSA-OAEP', enc: 'A256GCM' }));

    // Act
    const body = await crypto.encryptBody('{"userId":1}');

    // Assert
    const jwe = (parse(body) as { encData: string }).encData;
    expect(decodeProtectedHeader(jwe)).toEqual({ alg: 'RSA-OAEP', enc: 'A256GCM' });
    const opened = await compactDecrypt(jwe, createPrivateKey(server.privatePem));
    expect(new TextDecoder().decode(opened.plaintext)).toBe('{"userId":1}');
  });
});

describe('KonaMessageCrypto.openAnswer', () => {
  it('decrypts an A128GCM answer and returns its exact text when the outer body has no status', async () => {
    // Arrange
    const crypto = await KonaMessageCrypto.create(settings());
    const inner = '{ "code": "000_000", "description": "Success", "balance": 12000 }';
    const answer = `{"encData":"${await jweFor(partner.publicPem, inner)}"}`;

    // Act
    const text = await crypto.openAnswer(answer);

    // Assert
    expect(text).toBe(inner);
  });

  it('decrypts an answer encrypted with A256GCM although requests use A128GCM', async () => {
    // Arrange
    const crypto = await KonaMessageCrypto.create(settings({ enc: 'A128GCM' }));
    const inner = '{"code":"000_000","description":"Success"}';
    const jwe = await jweFor(partner.publicPem, inner, { alg: 'RSA-OAEP-256', enc: 'A256GCM' });

    // Act
    const text = await crypto.openAnswer(`{"encData":"${jwe}"}`);

    // Assert
    expect(text).toBe(inner);
  });

  it('keeps a 19-digit userId as the bare number 9999999999999999999 when it rewrites the answer', async () => {
    // Arrange: the outer code forces a re-serialization of the decrypted object.
    const crypto = await KonaMessageCrypto.create(settings());
    const inner = '{"code":"000_000","userId":9999999999999999999,"balance":9007199254740993}';
    const jwe = await jweFor(partner.publicPem, inner);

    // Act
    const text = await crypto.openAnswer(`{"code":"000_000","encData":"${jwe}"}`);

    // Assert
    expect(text).toContain('"userId":9999999999999999999');
    expect(text).toContain('"balance":9007199254740993');
  });

  it('lets the outer code and description win over the inner ones and keeps the business fields', async () => {
    // Arrange
    const crypto = await KonaMessageCrypto.create(settings());
    const jwe = await jweFor(
      partner.publicPem,
      '{"code":"000_000","description":"Success","userId":42}',
    );
    const answer = `{"code":"001_006","description":"Wallet user not found","encData":"${jwe}"}`;

    // Act
    const envelope = decodeEnvelope(await crypto.openAnswer(answer));

    // Assert
    expect(envelope?.code).toBe('001_006');
    expect(envelope?.description).toBe('Wallet user not found');
    const userId = envelope?.fields.userId;
    expect(isLosslessNumber(userId) && userId.value).toBe('42');
    expect(envelope?.fields).not.toHaveProperty('encData');
  });

  it('lets an outer resultCode and message win over an inner code and description', async () => {
    // Arrange: an inner `code` left in place would shadow the outer `resultCode` in decodeEnvelope.
    const crypto = await KonaMessageCrypto.create(settings());
    const jwe = await jweFor(partner.publicPem, '{"code":"000_000","description":"Success"}');
    const answer = `{"resultCode":"011_001","message":"Missing identity verification","encData":"${jwe}"}`;

    // Act
    const envelope = decodeEnvelope(await crypto.openAnswer(answer));

    // Assert
    expect(envelope?.code).toBe('011_001');
    expect(envelope?.description).toBe('Missing identity verification');
  });

  it.each([
    ['a plaintext error', '{ "code" : "001_006", "userId": 9999999999999999999 }'],
    ['a null encData', '{"code":"999_999","description":"Busy","encData":null}'],
    ['a body that is not JSON', '<html>502 Bad Gateway</html>'],
  ])('returns %s unchanged', async (_name, answer) => {
    // Arrange
    const crypto = await KonaMessageCrypto.create(settings());

    // Act
    const text = await crypto.openAnswer(answer);

    // Assert
    expect(text).toBe(answer);
  });

  it('refuses garbage encData with a message that repeats none of it', async () => {
    // Arrange
    const crypto = await KonaMessageCrypto.create(settings());
    const garbage = 'eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.c2VjcmV0.aXY.Y2lwaGVydGV4dA.dGFn';

    // Act
    const error = await rejectionOf(crypto.openAnswer(`{"encData":"${garbage}"}`));

    // Assert
    expect(error.message).toMatch(SAFE_MESSAGE);
    for (const part of garbage.split('.')) expect(error.message).not.toContain(part);
  });

  it('refuses an answer encrypted for another key, naming only jose’s code', async () => {
    // Arrange
    const crypto = await KonaMessageCrypto.create(settings());
    const jwe = await jweFor(stranger.publicPem, '{"code":"000_000","userId":42}');

    // Act
    const error = await rejectionOf(crypto.openAnswer(`{"encData":"${jwe}"}`));

    // Assert
    expect(error.message).toBe('KONA answer could not be decrypted (ERR_JWE_DECRYPTION_FAILED)');
    for (const part of jwe.split('.')) expect(error.message).not.toContain(part);
  });

  it.each([
    ['text that is not JSON', 'card 4111111111111111'],
    ['a JSON array', '[4111111111111111]'],
    ['a JSON number', '4111111111111111'],
  ])(
    'refuses a JWE whose plaintext is %s, repeating neither plaintext nor ciphertext',
    async (_n, plaintext) => {
      // Arrange
      const crypto = await KonaMessageCrypto.create(settings());
      const jwe = await jweFor(partner.publicPem, plaintext);

      // Act
      const error = await rejectionOf(crypto.openAnswer(`{"encData":"${jwe}"}`));

      // Assert
      expect(error.message).toMatch(SAFE_MESSAGE);
      expect(error.message).not.toContain('4111111111111111');
      for (const part of jwe.split('.')) expect(error.message).not.toContain(part);
    },
  );

  it('refuses an RSA-OAEP-256 answer when the settings pin RSA-OAEP, yet opens an RSA-OAEP one', async () => {
    // Arrange
    const crypto = await KonaMessageCrypto.create(settings({ alg: 'RSA-OAEP' }));
    const inner = '{"code":"000_000"}';
    const pinned = await jweFor(partner.publicPem, inner, { alg: 'RSA-OAEP', enc: 'A128GCM' });
    const other = await jweFor(partner.publicPem, inner, { alg: 'RSA-OAEP-256', enc: 'A128GCM' });

    // Act
    const opened = await crypto.openAnswer(`{"encData":"${pinned}"}`);
    const error = await rejectionOf(crypto.openAnswer(`{"encData":"${other}"}`));

    // Assert
    expect(opened).toBe(inner);
    expect(error.joseCode).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
  });
});

describe('KonaMessageCrypto with the sandbox’s SandboxCrypto', () => {
  const sandbox = (enc?: 'A128GCM' | 'A256GCM'): Promise<SandboxCrypto> =>
    SandboxCrypto.create({
      serverPrivateKeyPem: server.privatePem,
      partnerPublicKeyPem: partner.publicPem,
      enc,
    });

  it.each(['RSA-OAEP-256', 'RSA-OAEP'] as const)(
    'lets the sandbox open a request the gateway encrypted with %s, to the exact plaintext',
    async (alg) => {
      // Arrange
      const gateway = await KonaMessageCrypto.create(settings({ alg }));
      const plaintext = '{"userId":9999999999999999999,"isCheckNamedYn":"N"}';

      // Act
      const opened = await (await sandbox()).openRequest(await gateway.encryptBody(plaintext));

      // Assert
      expect(opened).toEqual({ ok: true, plaintext });
    },
  );

  it.each(['A128GCM', 'A256GCM'] as const)(
    'lets the gateway open an answer the sandbox encrypted with %s',
    async (enc) => {
      // Arrange
      const gateway = await KonaMessageCrypto.create(settings());
      const answer = '{"code":"000_000","description":"Success","userId":9999999999999999999}';

      // Act
      const text = await gateway.openAnswer(await (await sandbox(enc)).encryptAnswer(answer));

      // Assert
      expect(text).toBe(answer);
    },
  );

  it('makes the sandbox refuse a request encrypted for another server key', async () => {
    // Arrange
    const gateway = await KonaMessageCrypto.create(
      settings({ serverPublicKeyPem: stranger.publicPem }),
    );
    const body = await gateway.encryptBody('{"userId":42}');

    // Act
    const opened = await (await sandbox()).openRequest(body);

    // Assert
    expect(opened.ok).toBe(false);
    const reason = opened.ok ? '' : opened.reason;
    expect(reason).toBe('encData does not decrypt (ERR_JWE_DECRYPTION_FAILED)');
  });

  it('lets the sandbox take a plaintext request as it is', async () => {
    // Arrange
    const body = '{"userId":9999999999999999999,"isCheckNamedYn":"Y"}';

    // Act
    const opened = await (await sandbox()).openRequest(body);

    // Assert
    expect(opened).toEqual({ ok: true, plaintext: body });
  });
});
