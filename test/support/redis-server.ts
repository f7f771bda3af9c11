import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { freePort } from './free-port';

/** A throwaway real redis-server on loopback (no persistence), for tests. */
export class RedisServer {
  private process?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'kbff-redis-'));

  private constructor(
    readonly port: number,
    private readonly extraArgs: string[],
  ) {}

  static async start(extraArgs: string[] = [], port?: number): Promise<RedisServer> {
    const server = new RedisServer(port ?? (await freePort()), extraArgs);
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (again) on the same port. */
  async restart(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.dir,
      ...this.extraArgs,
    ];
    this.process = spawn('redis-server', args, { stdio: 'ignore' });
    this.process.once('error', (error) => {
      throw new Error(`redis-server could not start (is it installed?): ${error.message}`);
    });
    await waitForPort(this.port, 5000);
  }

  /** SIGKILL: the abrupt kind of outage. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Kills it for good and removes its directory (a restart after stop() is not supported). */
  async stop(): Promise<void> {
    await this.resume();
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** SIGSTOP: Redis stalls; its sockets stay open and what clients send waits in them. */
  pause(): Promise<void> {
    this.process?.kill('SIGSTOP');
    return Promise.resolve();
  }

  /** SIGCONT: Redis runs whatever was queued on its sockets during the stall. */
  resume(): Promise<void> {
    const child = this.process;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGCONT');
    return Promise.resolve();
  }
}

export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
}
