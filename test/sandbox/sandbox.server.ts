import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { ADMIN_PREFIX, handleAdmin, notFound } from './admin-handler';
import { CallLog } from './call-log';
import { CardBook } from './cards';
import { SANDBOX_DEMO } from './demo-credentials';
import { FaultTable, type FaultSpec } from './faults';
import { readBody, sendJson } from './http-io';
import { konaEndpointFor } from './kona-endpoints';
import { handleKona, refuseUnimplemented } from './kona-handler';
import type { SandboxConfig, SandboxContext } from './sandbox-context';
import { SandboxCrypto } from './sandbox-crypto';
import { TransportStats } from './transport-stats';

/** Options of {@link startSandbox}; every one has a default. */
export interface SandboxOptions {
  /** TCP port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1 (main.ts uses 0.0.0.0 for containers). */
  host?: string;
  /** Expected `X-KM-User-AspId` (15 chars). Default {@link SANDBOX_DEMO}. */
  aspId?: string;
  /** Expected `X-KM-Access-Key` (40 chars). Default {@link SANDBOX_DEMO}. */
  accessKey?: string;
  /** HMAC key of `X-KM-Tran-Token`. Default {@link SANDBOX_DEMO}. */
  secretKey?: string;
  /** Delay added to every KONA answer, in ms. Default 0. */
  latencyMs?: number;
  /** Allowed distance between Tran-Time and the sandbox clock, in seconds. Default 300. */
  maxSkewSeconds?: number;
  /** Print nothing (tests). Default false. */
  quiet?: boolean;
  /** Clock for the skew check, ms since epoch. Default Date.now. */
  now?: () => number;
  /**
   * Message encryption (JWE), set together with {@link partnerPublicKeyPem} or not at all: the
   * sandbox's (KONA's) RSA private key, PEM, which opens `{"encData": ...}` request bodies.
   */
  serverPrivateKeyPem?: string;
  /** The partner's (gateway's) RSA public key, PEM: answers of encrypted operations are sealed for it. */
  partnerPublicKeyPem?: string;
  /**
   * Listen with TLS (HTTPS) using this certificate chain and private key, both PEM; plain HTTP when
   * absent (the default, which every test and docker-compose use). Real KONA is only reached over
   * TLS: the benchmark uses this so the gateway's and the baseline's TLS client cost is measured.
   */
  tls?: { certPem: string; keyPem: string };
}

/** A listening sandbox. */
export interface RunningSandbox {
  /** Base URL, e.g. `http://127.0.0.1:8080` (`https:` with TLS); the gateway appends `/api/v1/...`. */
  url: string;
  port: number;
  /** Every KONA call received, in process. */
  calls: CallLog;
  /** Activates a fault (replacing the fault of the same scope); throws on an invalid spec. */
  setFault(spec: FaultSpec): void;
  /** Removes every fault. */
  clearFaults(): void;
  /** Forgets every suspension and limit update: every card is back to its set's state. */
  resetCards(): void;
  /** Whether message encryption is on (both keys configured). */
  encrypted: boolean;
  /** Whether the sandbox listens with TLS. */
  tls: boolean;
  /** Connections, TLS handshakes and KONA calls per transport (also `GET /__sandbox/transport`). */
  transport: TransportStats;
  /** Stops listening and destroys every open socket, hung requests included. */
  close(): Promise<void>;
}

/**
 * Starts a strict stand-in for KONA PLATE on node:http: it checks every header, the token and the
 * body of the endpoints the gateway wraps (src/konaplate/operations), answers the documented test
 * members and their cards, encrypts like KONA when given keys, and can inject faults. Resolves once
 * it listens.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const config = resolveConfig(options);
  const crypto = await cryptoFor(options);
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  let closing: Promise<void> | undefined;

  const ctx: SandboxContext = {
    config,
    calls: new CallLog(),
    transport: new TransportStats(options.tls !== undefined),
    faults: new FaultTable(),
    cards: new CardBook(),
    crypto,
    later(ms, fn) {
      if (closing !== undefined) return;
      if (ms <= 0) {
        fn();
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        fn();
      }, ms);
      timers.add(timer);
    },
    warn(message) {
      if (!config.quiet) process.stderr.write(`[kona-sandbox] ${message}\n`);
    },
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    route(ctx, req, res).catch((error: unknown) => {
      // A client that left mid-request is not worth a line; anything else is a sandbox bug.
      if (req.destroyed && !req.complete) return;
      ctx.warn(`INTERNAL ERROR ${req.method ?? '?'} ${req.url ?? '?'}: ${String(error)}`);
      sendJson(res, 500, { code: '999_500', description: 'sandbox: internal error' });
    });
  };
  const server =
    options.tls === undefined
      ? createServer(handler)
      : createTlsServer({ cert: options.tls.certPem, key: options.tls.keyPem }, handler);
  // 'connection' gives the TCP socket under TLS too: destroying it ends the TLS session as well.
  server.on('connection', (socket: Socket) => {
    ctx.transport.connection();
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: TLSSocket) => ctx.transport.handshake(socket));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;

  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://${reachableHost(address)}:${address.port}`,
    port: address.port,
    calls: ctx.calls,
    setFault(spec) {
      ctx.faults.set(spec);
    },
    clearFaults() {
      ctx.faults.clear();
    },
    resetCards() {
      ctx.cards.clear();
    },
    encrypted: crypto !== null,
    tls: options.tls !== undefined,
    transport: ctx.transport,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => {
          resolve();
        });
        // server.close() waits for open connections; hung and keep-alive ones must go now.
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

async function route(
  ctx: SandboxContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
  if (url.pathname === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
    sendJson(res, 200, { status: 'ok' });
    return;
  }
  const raw = await readBody(req);
  const match = konaEndpointFor(url.pathname);
  if (match !== undefined) ctx.transport.konaCall(req.socket);
  if (url.pathname.startsWith(ADMIN_PREFIX)) handleAdmin(ctx, req, res, url, raw);
  else if (match?.implemented === true) await handleKona(ctx, req, res, match, url.pathname, raw);
  else if (match !== undefined) {
    refuseUnimplemented(ctx, req, res, match.operation, url.pathname, raw);
  } else notFound(ctx, res, req.method, url.pathname);
}

/** The encryption of both keys, none without keys; one key alone is a configuration mistake. */
async function cryptoFor(options: SandboxOptions): Promise<SandboxCrypto | null> {
  const { serverPrivateKeyPem, partnerPublicKeyPem } = options;
  if (serverPrivateKeyPem === undefined && partnerPublicKeyPem === undefined) return null;
  if (serverPrivateKeyPem === undefined || partnerPublicKeyPem === undefined) {
    throw new Error(
      'sandbox: set both the server private key and the partner public key (message encryption) or neither',
    );
  }
  try {
    return await SandboxCrypto.create({ serverPrivateKeyPem, partnerPublicKeyPem });
  } catch (error) {
    throw new Error(`sandbox: an encryption key does not load (${(error as Error).message})`, {
      cause: error,
    });
  }
}

function resolveConfig(options: SandboxOptions): SandboxConfig {
  const config: SandboxConfig = {
    aspId: options.aspId ?? SANDBOX_DEMO.aspId,
    accessKey: options.accessKey ?? SANDBOX_DEMO.accessKey,
    secretKey: options.secretKey ?? SANDBOX_DEMO.secretKey,
    latencyMs: options.latencyMs ?? 0,
    maxSkewSeconds: options.maxSkewSeconds ?? 300,
    quiet: options.quiet ?? false,
    now: options.now ?? Date.now,
  };
  // KONA fixes these lengths; a sandbox configured otherwise would accept what KONA refuses.
  if (config.aspId.length !== 15) throw new Error('sandbox: the ASP id must be 15 characters');
  if (config.accessKey.length !== 40)
    throw new Error('sandbox: the access key must be 40 characters');
  if (config.secretKey.length === 0) throw new Error('sandbox: the secret key must not be empty');
  if (!Number.isInteger(config.latencyMs) || config.latencyMs < 0) {
    throw new Error('sandbox: latencyMs must be a non-negative integer');
  }
  if (!Number.isInteger(config.maxSkewSeconds) || config.maxSkewSeconds < 0) {
    throw new Error('sandbox: maxSkewSeconds must be a non-negative integer');
  }
  return config;
}

/** A host a client can dial: the wildcard addresses are reached through loopback. */
function reachableHost(address: AddressInfo): string {
  if (address.address === '0.0.0.0' || address.address === '::') return '127.0.0.1';
  return address.family === 'IPv6' ? `[${address.address}]` : address.address;
}
