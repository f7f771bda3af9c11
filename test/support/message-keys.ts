import { generateKeyPairSync } from 'node:crypto';

/** PEM text of an RSA-2048 key pair, made for one test run (never committed). */
export interface PemPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

function pair(): PemPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/**
 * The two key pairs of KONA's message encryption: the partner's (the gateway decrypts answers
 * with its private key) and KONA's server pair (the gateway encrypts requests for its public key).
 */
export function messageKeys() {
  const partner = pair();
  const server = pair();
  return {
    partner,
    server,
    /** The gateway's side of the configuration. */
    gatewayEnv: {
      KONAPLATE_CLIENT_PRIVATE_KEY: partner.privateKeyPem,
      KONAPLATE_SERVER_PUBLIC_KEY: server.publicKeyPem,
      KONAPLATE_CRYPTO_KEY_ID: 'e2e0123456789abcdef0123456789abc',
    },
    /** The sandbox's side. */
    sandboxOptions: {
      serverPrivateKeyPem: server.privateKeyPem,
      partnerPublicKeyPem: partner.publicKeyPem,
    },
  };
}
