/**
 * KONA's side of message encryption (konaplate.md, "Message encryption"): requests arrive as
 * `{"encData":"<compact JWE>"}` for the server key, answers leave encrypted for the partner's public
 * key with RSA-OAEP-256, as the unofficial client that passed KONA's sandbox saw. Written apart from
 * the gateway's src/konaplate/message-crypto.ts , sharing no code with it,, so each checks the other.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { isLosslessNumber, parse } from 'lossless-json';

/** The sandbox's key pair half and the partner's public key, as PEM. */
export interface SandboxCryptoOptions {
  serverPrivateKeyPem: string;
  partnerPublicKeyPem: string;
  /** Content cipher of answers; A128GCM unless a test needs the other size. */
  enc?: 'A128GCM' | 'A256GCM';
}

/** A request body once opened: its plaintext, or why it was refused. */
export type OpenedRequest = { ok: true; plaintext: string } | { ok: false; reason: string };

/** Encrypts answers and opens requests like KONA would. */
export class SandboxCrypto {
  private constructor(
    private readonly serverKey: KeyObject,
    private readonly partnerKey: KeyObject,
    private readonly enc: 'A128GCM' | 'A256GCM',
  ) {}

  /** Parses both PEMs once; rejects a malformed key at startup rather than on a call. */
  static create(options: SandboxCryptoOptions): Promise<SandboxCrypto> {
    // KeyObjects (not CryptoKeys) so one server key opens both RSA-OAEP and RSA-OAEP-256 requests:
    // the gateway's alg is configuration and the real KONA's choice is not published.
    const serverKey = createPrivateKey(options.serverPrivateKeyPem);
    const partnerKey = createPublicKey(options.partnerPublicKeyPem);
    return Promise.resolve(new SandboxCrypto(serverKey, partnerKey, options.enc ?? 'A128GCM'));
  }

  /** Returns the exact answer body `{"encData":"..."}` for an answer's JSON text. */
  async encryptAnswer(jsonText: string): Promise<string> {
    const jwe = await new CompactEncrypt(new TextEncoder().encode(jsonText))
      .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: this.enc })
      .encrypt(this.partnerKey);
    // A compact JWE is base64url and dots only: nothing to escape.
    return `{"encData":"${jwe}"}`;
  }

  /** Decrypts an encrypted request; a body without `encData` is a plaintext request, returned as is. */
  async openRequest(bodyText: string): Promise<OpenedRequest> {
    const encData = readEncData(bodyText);
    if (encData === undefined) return { ok: true, plaintext: bodyText };
    if (typeof encData !== 'string') return { ok: false, reason: 'encData is not a string' };
    try {
      const { plaintext } = await compactDecrypt(encData, this.serverKey, {
        keyManagementAlgorithms: ['RSA-OAEP-256', 'RSA-OAEP'],
        contentEncryptionAlgorithms: ['A128GCM', 'A256GCM'],
      });
      return { ok: true, plaintext: new TextDecoder('utf-8', { fatal: true }).decode(plaintext) };
    } catch (err) {
      // jose's code names the failure; its message or the body would be noise (or ciphertext) in logs.
      const code = (err as { code?: unknown } | null)?.code;
      const why = typeof code === 'string' ? code : 'invalid';
      return { ok: false, reason: `encData does not decrypt (${why})` };
    }
  }
}

/** `encData` of a JSON object body; undefined for any other body. Only this field is read. */
function readEncData(bodyText: string): unknown {
  let value: unknown;
  try {
    value = parse(bodyText);
  } catch {
    return undefined;
  }
  const plain = typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!plain || isLosslessNumber(value)) return undefined;
  return (value as Record<string, unknown>).encData;
}
