import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../support/free-port';

const ROOT = join(__dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'main.js');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** performance.now() when the process ended. */
  at: number;
}

/** `node dist/main.js` as Kubernetes runs it: its own process, signals, stdout and stderr. */
export interface GatewayProcess {
  url: string;
  port: number;
  /** The management listener (MANAGEMENT_PORT): /metrics, /docs*, detailed /health/*. */
  managementUrl: string;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Settles when the process has ended. */
  readonly exited: Promise<Exit>;
  running(): boolean;
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM (SIGKILL after 10 s) and wait for the end; safe to call twice. */
  stop(): Promise<Exit>;
}

/** Starts the built gateway (npm run build) with exactly `env`, and nothing of this process' env. */
function spawnMain(env: Record<string, string | undefined>): {
  child: ChildProcessWithoutNullStreams;
  out: string[];
  err: string[];
  exited: Promise<Exit>;
} {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
  const defined = Object.entries(env).filter((entry): entry is [string, string] => !!entry[1]);
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...Object.fromEntries(defined) },
  });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => out.push(chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => err.push(chunk));
  const exited = new Promise<Exit>((resolve) => {
    // 'close' (not 'exit'): every byte of stdout and stderr has been read by then.
    child.once('close', (code, signal) => resolve({ code, signal, at: performance.now() }));
  });
  return { child, out, err, exited };
}

/**
 * Starts `node dist/main.js` on free loopback ports and resolves once it accepts connections (the
 * management port opens before the API's); rejects with its stderr if it exits first.
 */
export async function startGatewayProcess(
  env: Record<string, string | undefined>,
): Promise<GatewayProcess> {
  const port = await freePort();
  const managementPort = await freePort();
  const { child, out, err, exited } = spawnMain({
    ...env,
    PORT: String(port),
    HOST: '127.0.0.1',
    MANAGEMENT_PORT: String(managementPort),
  });
  const gateway: GatewayProcess = {
    url: `http://127.0.0.1:${port}`,
    port,
    managementUrl: `http://127.0.0.1:${managementPort}`,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    exited,
    running: () => child.exitCode === null && child.signalCode === null,
    signal: (signal) => void child.kill(signal),
    async stop() {
      if (gateway.running()) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };
  const deadline = Date.now() + 15_000;
  while ((await tryConnect(port)) !== 'connected') {
    if (!gateway.running() || Date.now() > deadline) {
      await gateway.stop();
      throw new Error(`the gateway did not start:\n${gateway.stderr()}${gateway.stdout()}`);
    }
    await sleep(50);
  }
  return gateway;
}

/** Runs `node dist/main.js` with `env` until it ends by itself (start-up failures). */
export async function runGatewayToExit(
  env: Record<string, string | undefined>,
  timeoutMs = 10_000,
): Promise<Exit & { stdout: string; stderr: string }> {
  const { child, out, err, exited } = spawnMain(env);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exit = await exited;
  clearTimeout(timer);
  return { ...exit, stdout: out.join(''), stderr: err.join('') };
}

/**
 * Opens (and closes) a fresh TCP connection: 'connected', 'refused', or another error code.
 */
export function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      resolve(error.code === 'ECONNREFUSED' ? 'refused' : (error.code ?? error.message));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
