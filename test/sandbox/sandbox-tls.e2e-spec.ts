/**
 * The sandbox's optional TLS listener (used by `npm run bench`, so KONA is reached over TLS as in
 * production) and its transport counters. The certificate is a throwaway made with the openssl CLI,
 * as the benchmark makes its own.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { optionsFromEnv } from './env-options';
import { konaHeaders, LIMIT_PATH, limitBody, namedcardBody } from './kona-signing.test-util';
import { startSandbox, type RunningSandbox } from './sandbox.server';
import type { TransportSnapshot } from './transport-stats';

let dir: string;
let certPem: string;
let keyPem: string;
let sandbox: RunningSandbox;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kbff-sandbox-tls-'));
  // A self-signed certificate for 127.0.0.1 that is its own CA: enough for one trusted client.
  execFileSync(
    'openssl',
    [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], // prettier-ignore
    { stdio: 'ignore' },
  );
  certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
  keyPem = readFileSync(join(dir, 'key.pem'), 'utf8');
  sandbox = await startSandbox({
    port: 0,
    host: '127.0.0.1',
    quiet: true,
    tls: { certPem, keyPem },
  });
});
afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One request on a fresh TLS connection, trusting `ca` only. */
function send(
  path: string,
  { method = 'GET', body, ca }: { method?: string; body?: string; ca?: string } = {},
): Promise<{ status: number; text: string; protocol: string | null }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${sandbox.url}${path}`,
      {
        method,
        agent: false,
        ca,
        headers: body === undefined ? {} : konaHeaders(body),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const socket = res.socket as TLSSocket;
          resolve({ status: res.statusCode ?? 0, text, protocol: socket.getProtocol() });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

it('listens on https: and answers a signed KONA call over TLS', async () => {
  expect(sandbox.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  expect(sandbox.tls).toBe(true);
  const before = sandbox.transport.snapshot();

  const answer = await send(LIMIT_PATH, {
    method: 'POST',
    body: limitBody('2000001'),
    ca: certPem,
  });

  expect(answer.status).toBe(200);
  expect(JSON.parse(answer.text)).toMatchObject({ code: '000_000' });
  expect(answer.protocol).toMatch(/^TLSv1\.[23]$/);
  const after = sandbox.transport.snapshot();
  expect(after.konaCalls.tls - before.konaCalls.tls).toBe(1);
  expect(after.konaCalls.plain).toBe(0);
  expect(after.handshakes.total - before.handshakes.total).toBe(1);
  expect(after.handshakes.protocols[answer.protocol ?? '']).toBeGreaterThanOrEqual(1);
});

it('refuses a client that does not trust its certificate (it is real TLS)', async () => {
  await expect(send(LIMIT_PATH, { method: 'POST', body: limitBody('2000001') })).rejects.toThrow(
    /self[- ]signed|unable to verify|certificate/i,
  );
});

it('reports its transport counters on GET /__sandbox/transport, control calls not counted', async () => {
  const before = sandbox.transport.snapshot();
  const answer = await send('/__sandbox/transport', { ca: certPem });

  expect(answer.status).toBe(200);
  const snapshot = JSON.parse(answer.text) as TransportSnapshot;
  expect(snapshot.tls).toBe(true);
  expect(snapshot.konaCalls).toEqual(before.konaCalls);
  expect(snapshot.connections).toBeGreaterThan(before.connections);
  expect(Object.keys(snapshot.handshakes.ciphers).length).toBeGreaterThan(0);
});

it('stays plain HTTP without a certificate and counts its calls as plain', async () => {
  const plain = await startSandbox({ port: 0, host: '127.0.0.1', quiet: true });
  try {
    expect(plain.url).toMatch(/^http:\/\//);
    const body = namedcardBody('2000001');
    const response = await fetch(`${plain.url}/api/v1/user/namedcard`, {
      method: 'POST',
      headers: konaHeaders(body),
      body,
    });
    expect(response.status).toBe(200);
    expect(plain.transport.snapshot()).toMatchObject({
      tls: false,
      handshakes: { total: 0 },
      konaCalls: { tls: 0, plain: 1 },
    });
  } finally {
    await plain.close();
  }
});

describe('optionsFromEnv', () => {
  it('reads the certificate and key from SANDBOX_TLS_CERT_FILE and SANDBOX_TLS_KEY_FILE', () => {
    expect(
      optionsFromEnv({
        SANDBOX_TLS_CERT_FILE: join(dir, 'cert.pem'),
        SANDBOX_TLS_KEY_FILE: join(dir, 'key.pem'),
      }).tls,
    ).toEqual({ certPem, keyPem });
  });

  it('refuses one of the two alone', () => {
    expect(() => optionsFromEnv({ SANDBOX_TLS_CERT_FILE: join(dir, 'cert.pem') })).toThrow(
      /SANDBOX_TLS_CERT and SANDBOX_TLS_KEY/,
    );
  });

  it('leaves TLS off by default', () => {
    expect(optionsFromEnv({}).tls).toBeUndefined();
  });
});
