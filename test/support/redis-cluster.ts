import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';
import { waitForPort } from './redis-server';

const run = promisify(execFile);

/** Redis Cluster talks node to node on the client port + 10000 (the cluster bus). */
const BUS_OFFSET = 10_000;

/**
 * A throwaway Redis Cluster of masters on loopback, without persistence: `size` redis-server
 * processes with `--cluster-enabled yes`, joined by `redis-cli --cluster create`.
 */
export class RedisCluster {
  private readonly processes: ChildProcess[] = [];

  private constructor(
    readonly ports: number[],
    private readonly dir: string,
  ) {}

  /** Starts the nodes and resolves once every node reports `cluster_state:ok`. */
  static async start(size = 3): Promise<RedisCluster> {
    const ports: number[] = [];
    while (ports.length < size) {
      const port = await clusterPort();
      if (!ports.includes(port)) ports.push(port);
    }
    const cluster = new RedisCluster(ports, mkdtempSync(join(tmpdir(), 'kbff-cluster-')));
    try {
      await cluster.boot();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** `127.0.0.1:P1,127.0.0.1:P2,…`: the value of REDIS_CLUSTER_NODES. */
  get nodes(): string {
    return this.ports.map((port) => `127.0.0.1:${port}`).join(',');
  }

  /** SIGKILL every node and remove their files. */
  async stop(): Promise<void> {
    await Promise.all(
      this.processes.map((child) => {
        if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        return exited;
      }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async boot(): Promise<void> {
    for (const port of this.ports) {
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(this.dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          '5000',
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          this.dir,
        ],
        { stdio: 'ignore' },
      );
      child.on('error', () => undefined);
      this.processes.push(child);
    }
    await Promise.all(this.ports.map((port) => waitForPort(port, 5000)));
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...this.ports.map((port) => `127.0.0.1:${port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { timeout: 20_000 },
    );
    await this.waitUntilOk(20_000);
  }

  private async waitUntilOk(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const infos = await Promise.all(
        this.ports.map((port) =>
          run('redis-cli', ['-p', String(port), 'cluster', 'info'], { timeout: 2000 }).then(
            (out) => out.stdout,
            () => '',
          ),
        ),
      );
      const ok = infos.every(
        (info) =>
          /^cluster_state:ok\r?$/m.test(info) &&
          /^cluster_slots_ok:16384\r?$/m.test(info) &&
          new RegExp(`^cluster_known_nodes:${this.ports.length}\\r?$`, 'm').test(info),
      );
      if (ok) return;
      if (Date.now() > deadline)
        throw new Error(`Redis Cluster not ok after ${timeoutMs} ms:\n${infos.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A free port whose cluster-bus port (+10000) is free and below 65536 too. */
async function clusterPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + BUS_OFFSET <= 65_535 && (await isFree(port + BUS_OFFSET))) return port;
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
