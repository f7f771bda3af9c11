/**
 * Real loopback servers for the transport's tests (no mocks): each counts the connections it
 * accepted and the complete requests it read, and is closed after each test.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What a test server saw: connections accepted, complete requests read. */
export interface Seen {
  connections: number;
  requests: number;
}

const closers: (() => Promise<void>)[] = [];

/** Closes every server and client the helpers opened (call from afterEach). */
export async function closeAll(): Promise<void> {
  await Promise.all(closers.splice(0).map((close) => close()));
}

export function onClose(close: () => Promise<void>): void {
  closers.push(close);
}

export async function listen<T extends Server | HttpServer>(
  server: T,
  scheme = 'http',
): Promise<{ server: T; url: string }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onClose(
    () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { server, url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

type Handler = Parameters<typeof createHttpServer>[1];

/**
 * An HTTP server that answers 200, or, for a body holding "reset", reads the whole request and
 * destroys the socket without a byte of answer (the sandbox's `reset` fault).
 */
export function konaHandler(seen: Seen): Handler {
  return (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.requests += 1;
      if (body.includes('reset')) req.socket.destroy();
      else res.end('{"code":"000_000"}');
    });
  };
}

export async function kona(seen: Seen, handler: Handler = konaHandler(seen)) {
  const server = createHttpServer({ keepAliveTimeout: 60_000 }, handler);
  server.on('connection', () => (seen.connections += 1));
  return listen(server);
}

/** A certificate for 127.0.0.1 that no CA store trusts, made by openssl for this test run. */
export interface TestCertificate {
  key: string;
  cert: string;
}

let certificate: TestCertificate | undefined;

export function selfSignedCertificate(): TestCertificate {
  if (certificate) return certificate;
  const dir = mkdtempSync(join(tmpdir(), 'kbff-cert-'));
  try {
    // prettier-ignore
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ], { stdio: 'pipe' });
    certificate = {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
    return certificate;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** {@link kona} over TLS with {@link selfSignedCertificate}. */
export async function konaTls(seen: Seen, handler: Handler = konaHandler(seen)) {
  const server = createHttpsServer(
    { ...selfSignedCertificate(), keepAliveTimeout: 60_000 },
    handler,
  );
  server.on('connection', () => (seen.connections += 1));
  return listen(server, 'https');
}

export async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 2 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
