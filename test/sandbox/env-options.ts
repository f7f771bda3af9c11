import { readFileSync } from 'node:fs';
import { SANDBOX_DEMO } from './demo-credentials';
import type { SandboxOptions } from './sandbox.server';

/**
 * Maps the environment to sandbox options. Defaults suit a container: listen on 0.0.0.0:8080 with the
 * demo credentials, plain HTTP, no message encryption. A malformed number throws rather than silently
 * falling back to a default. The two keys and the TLS certificate and key (PEM text, multi-line is
 * fine) may also come from the file named by `<NAME>_FILE`.
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): SandboxOptions {
  const serverPrivateKeyPem = textOrFile(env, 'SANDBOX_SERVER_PRIVATE_KEY');
  const partnerPublicKeyPem = textOrFile(env, 'SANDBOX_PARTNER_PUBLIC_KEY');
  const tls = tlsFromEnv(env);
  return {
    ...(serverPrivateKeyPem === undefined ? {} : { serverPrivateKeyPem }),
    ...(partnerPublicKeyPem === undefined ? {} : { partnerPublicKeyPem }),
    ...(tls === undefined ? {} : { tls }),
    port: integer(env, 'SANDBOX_PORT', 8080, 0, 65535),
    host: text(env, 'SANDBOX_HOST') ?? '0.0.0.0',
    aspId: text(env, 'SANDBOX_ASP_ID') ?? SANDBOX_DEMO.aspId,
    accessKey: text(env, 'SANDBOX_ACCESS_KEY') ?? SANDBOX_DEMO.accessKey,
    secretKey: text(env, 'SANDBOX_SECRET_KEY') ?? SANDBOX_DEMO.secretKey,
    latencyMs: integer(env, 'SANDBOX_LATENCY_MS', 0, 0, 600_000),
    maxSkewSeconds: integer(env, 'SANDBOX_MAX_SKEW_SECONDS', 300, 0, 31_536_000),
    quiet: false,
  };
}

/** HTTPS when both SANDBOX_TLS_CERT and SANDBOX_TLS_KEY (or their `_FILE`) are set; one alone throws. */
function tlsFromEnv(env: NodeJS.ProcessEnv): SandboxOptions['tls'] {
  const certPem = textOrFile(env, 'SANDBOX_TLS_CERT');
  const keyPem = textOrFile(env, 'SANDBOX_TLS_KEY');
  if (certPem === undefined && keyPem === undefined) return undefined;
  if (certPem === undefined || keyPem === undefined) {
    throw new Error('SANDBOX_TLS_CERT and SANDBOX_TLS_KEY (or their _FILE) go together: set both');
  }
  return { certPem, keyPem };
}

/** An unset or empty variable counts as absent (compose files often write `VAR=`). */
function text(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** A variable's value, or the content of the file its `_FILE` variable names; both set throws. */
function textOrFile(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const direct = text(env, name);
  const file = text(env, `${name}_FILE`);
  if (direct !== undefined && file !== undefined) {
    throw new Error(`${name} and ${name}_FILE are both set: set one`);
  }
  if (file === undefined) return direct;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      { cause: error },
    );
  }
}

function integer(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = text(env, name);
  if (value === undefined) return fallback;
  const parsed = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!(parsed >= min && parsed <= max)) {
    throw new Error(
      `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return parsed;
}
