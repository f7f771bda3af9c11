/**
 * Demo credentials of the sandbox. They are public on purpose (they only open this stand-in, never
 * KONA PLATE) and have the lengths KONA documents, so a gateway configured with them passes the same
 * length checks it would meet upstream.
 */
export const SANDBOX_DEMO = {
  /** `X-KM-User-AspId`: 15 characters. */
  aspId: 'KBFFSANDBOX0001',
  /** `X-KM-Access-Key`: 40 characters. */
  accessKey: 'sandbox-access-key-ABCDEFGHIJKLMNOPQRSTU',
  /** HMAC key of `X-KM-Tran-Token`. */
  secretKey: 'sandbox-secret-key-do-not-use-in-production',
} as const;
