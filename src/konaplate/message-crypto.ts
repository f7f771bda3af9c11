import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';
import type { KonaEncryptionSettings } from '../config/app-config';
import { decodeEnvelope, serializeBody } from './kona-wire';
import type { MessageCrypto } from './message-crypto.port';

export type { KonaEncryptionSettings };

/**
 * An encrypted KONA answer could not be opened. The message is a fixed sentence plus at most jose's
 * error code, so logging it never leaks ciphertext, plaintext or key material.
 */
export class MessageDecryptionError extends Error {
  constructor(readonly joseCode?: string) {
    super(`KONA answer could not be decrypted${joseCode ? ` (${joseCode})` : ''}`);
    this.name = 'MessageDecryptionError';
  }
}

// The guide allows AES-GCM 128 or 256 (konaplate.md, "Message encryption"): accept both on answers.
const ANSWER_ENCS = ['A128GCM', 'A256GCM'];
// Status names an outer body may carry beside encData, grouped as kona-wire's decodeEnvelope reads them.
const STATUS_FAMILIES = [
  ['code', 'resultCode'],
  ['description', 'message', 'resultMessage'],
];

/**
 * JWE message encryption (konaplate.md, "Message encryption"): requests are encrypted for KONA's
 * server public key, answers decrypted with our private key. The envelope `{"encData":"<compact
 * JWE>"}` is not public; it is what an unofficial client that passed the sandbox used.
 */
export class KonaMessageCrypto implements MessageCrypto {
  private constructor(
    private readonly settings: KonaEncryptionSettings,
    private readonly privateKey: KeyObject,
    private readonly serverKey: KeyObject,
  ) {}

  /**
   * Imports both keys once, so no call re-parses PEM. node:crypto reads every form the config
   * accepts (PKCS#8 or PKCS#1 private keys, SPKI keys or X.509 certificates); jose takes KeyObjects.
   */
  static create(settings: KonaEncryptionSettings): Promise<KonaMessageCrypto> {
    const privateKey = createPrivateKey(settings.clientPrivateKeyPem);
    const serverKey = createPublicKey(settings.serverPublicKeyPem);
    return Promise.resolve(new KonaMessageCrypto(settings, privateKey, serverKey));
  }

  /**
   * Encrypts a serialized request body and returns the exact body to send: the tran token is
   * computed over this string (konaplate.md, "Message encryption"), so it must not be re-serialized.
   */
  async encryptBody(plaintext: string): Promise<string> {
    const { alg, enc } = this.settings;
    const jwe = await new CompactEncrypt(new TextEncoder().encode(plaintext))
      .setProtectedHeader({ alg, enc })
      .encrypt(this.serverKey);
    return serializeBody({ encData: jwe });
  }

  /**
   * Opens KONA's raw answer. An object with `encData` is decrypted and returned as JSON text, with
   * any status fields of the outer body (`code`/`resultCode`, `description`/`message`/
   * `resultMessage`) replacing the inner ones. Anything else is a plaintext answer (KONA may not
   * encrypt an error) and is returned unchanged. Numbers keep their digits (19-digit member ids).
   * @throws MessageDecryptionError when `encData` does not decrypt to a JSON object.
   */
  async openAnswer(text: string): Promise<string> {
    const outer = parseObject(text);
    if (outer === undefined || !hasPayload(outer)) return text;
    const inner = await this.decrypt(outer.encData);
    const merged = withOuterStatus(inner.value, outer);
    return merged === inner.value ? inner.text : serializeBody(merged);
  }

  private async decrypt(
    encData: unknown,
  ): Promise<{ text: string; value: Record<string, unknown> }> {
    if (typeof encData !== 'string') throw new MessageDecryptionError();
    let text: string;
    try {
      const { plaintext } = await compactDecrypt(encData, this.privateKey, {
        // Pinned: a JWE may not pick a weaker key wrapping than the one configured.
        keyManagementAlgorithms: [this.settings.alg],
        contentEncryptionAlgorithms: ANSWER_ENCS,
      });
      text = new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
    } catch (err) {
      throw new MessageDecryptionError(joseCode(err));
    }
    const value = parseObject(text);
    if (value === undefined) throw new MessageDecryptionError();
    return { text, value };
  }
}

/** A null or empty `encData` carries nothing to decrypt: such an answer is read as plaintext. */
function hasPayload(outer: Record<string, unknown>): boolean {
  return outer.encData !== undefined && outer.encData !== null && outer.encData !== '';
}

/**
 * Status fields KONA wrote outside the encrypted part replace the inner ones (our rule: the outer
 * body wins). Returns `inner` itself when the outer body names no status, so its exact text is kept.
 */
function withOuterStatus(
  inner: Record<string, unknown>,
  outer: Record<string, unknown>,
): Record<string, unknown> {
  let merged = inner;
  for (const names of STATUS_FAMILIES) {
    const present = names.filter((name) => typeof outer[name] === 'string');
    if (present.length === 0) continue;
    // Drop the whole inner family: an inner `code` would otherwise shadow an outer `resultCode`.
    const rest = Object.fromEntries(Object.entries(merged).filter(([k]) => !names.includes(k)));
    merged = { ...Object.fromEntries(present.map((name) => [name, outer[name]])), ...rest };
  }
  return merged;
}

/** The lossless-json object of a text, or undefined if it is not a JSON object (kona-wire's rule). */
function parseObject(text: string): Record<string, unknown> | undefined {
  return decodeEnvelope(text)?.fields;
}

/** Only jose's own codes (ERR_JWE_…, ERR_JOSE_…) are repeated; they name a failure, never data. */
function joseCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^ERR_J(WE|OSE)_[A-Z_]+$/.test(code) ? code : undefined;
}
