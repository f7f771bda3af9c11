/**
 * KONA message encryption (JWE over TLS), as the client needs it; the jose-based implementation is
 * message-crypto.ts. Absent (null under {@link MESSAGE_CRYPTO}) when no keys are configured: the
 * operations that need it then answer ENCRYPTION_NOT_CONFIGURED and the others still serve.
 */
export interface MessageCrypto {
  /** The exact request body to sign and send, `{"encData":"<JWE>"}`, for a plaintext body. */
  encryptBody(plaintext: string): Promise<string>;
  /** KONA's answer as plaintext JSON text (a plaintext answer passes through). */
  openAnswer(text: string): Promise<string>;
}

export const MESSAGE_CRYPTO = Symbol('MESSAGE_CRYPTO');
