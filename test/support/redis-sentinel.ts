import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port';
import { waitForPort } from './redis-server';

export interface SentinelTopologyOptions {
  /** The master name the sentinels monitor (REDIS_SENTINEL_NAME). */
  name?: string;
  /** How long a primary must be silent before a sentinel calls it down. */
  downAfterMs?: number;
  failoverTimeoutMs?: number;
}

/** One `SENTINEL replicas|sentinels` entry, from its flat key/value array. */
type Fields = Record<string, string>;

const UP = /^master_link_status:up\r?$/m;

/**
 * A throwaway Redis Sentinel deployment on loopback, without persistence: one primary, two
 * replicas (`--replicaof`) and three sentinels (quorum 2), each on a free port, their files in one
 * temp dir. Used by the e2e tests and, compiled by tsconfig.sandbox.json, by `npm run soak --
 * --sentinel`.
 */
export class RedisSentinelTopology {
  private readonly nodes = new Map<number, ChildProcess>();
  private readonly sentinelProcesses = new Map<number, ChildProcess>();
  /** The primary last killed or paused: waitForFailover waits for another one. */
  private failed?: number;
  /** Subscribers to the sentinels' `+switch-master`, from a kill or pause to its failover. */
  private watch?: SwitchWatch;

  private constructor(
    readonly name: string,
    readonly downAfterMs: number,
    readonly failoverTimeoutMs: number,
    readonly sentinelPorts: number[],
    private readonly dir: string,
  ) {}

  /** Resolves once the replicas are in sync and each sentinel knows both replicas and its peers. */
  static async start(options: SentinelTopologyOptions = {}): Promise<RedisSentinelTopology> {
    const ports = await distinctFreePorts(6);
    const topology = new RedisSentinelTopology(
      options.name ?? 'kbff',
      options.downAfterMs ?? 1000,
      options.failoverTimeoutMs ?? 3000,
      ports.slice(3),
      mkdtempSync(join(tmpdir(), 'kbff-sentinel-')),
    );
    try {
      await topology.boot(ports[0], ports.slice(1, 3));
    } catch (error) {
      await topology.stop();
      throw error;
    }
    return topology;
  }

  /** `127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3`: the value of REDIS_SENTINELS. */
  get sentinels(): string {
    return this.sentinelPorts.map((port) => `127.0.0.1:${port}`).join(',');
  }

  /** The primary's port, as the first sentinel that answers reports it. */
  async primaryPort(): Promise<number> {
    for (const port of this.sentinelPorts) {
      const reply = await ask(port, 'SENTINEL', 'get-master-addr-by-name', this.name).catch(
        () => null,
      );
      if (Array.isArray(reply)) return Number(reply[1]);
    }
    throw new Error('no sentinel answers get-master-addr-by-name');
  }

  /**
   * Resolves once both replicas hold everything written to the primary so far: a write of its own,
   * then WAIT (replication is ordered, so their acknowledging it covers every earlier write).
   */
  async waitForReplication(timeoutMs = 2000): Promise<void> {
    const client = connection(await this.primaryPort(), timeoutMs + 1000);
    try {
      await client.connect();
      await client.set('kbff-test:replication-marker', String(Date.now()));
      const acknowledged = await client.wait(2, timeoutMs);
      if (acknowledged < 2) throw new Error(`only ${acknowledged} replica(s) acknowledged`);
    } finally {
      client.disconnect();
    }
  }

  /**
   * Cuts both replication links for `ms` milliseconds, as a network blip would: the replicas get a
   * wrong `masterauth` and the primary drops them, so they fail to reconnect until it is restored
   * (then within their one-second replication cron). Resolves once the primary has no replica
   * left, so whatever is written next exists on the primary alone until the links are back.
   */
  async cutReplication(ms: number): Promise<void> {
    const primary = await this.primaryPort();
    const replicas = [...this.nodes.keys()].filter((port) => port !== primary && this.alive(port));
    for (const port of replicas) await ask(port, 'CONFIG', 'SET', 'masterauth', 'cut-by-test');
    await ask(primary, 'CLIENT', 'KILL', 'TYPE', 'replica');
    await poll('the primary to lose its replicas', 5000, async () => {
      const info = String(await ask(primary, 'INFO', 'replication'));
      return /^connected_slaves:0\r?$/m.test(info) || undefined;
    });
    setTimeout(() => {
      for (const port of replicas) void ask(port, 'CONFIG', 'SET', 'masterauth', '').catch(() => 0);
    }, ms);
  }

  /** How many clients each sentinel has subscribed to a channel (CLIENT LIST `sub=`). */
  async subscribers(): Promise<number[]> {
    return Promise.all(
      this.sentinelPorts.map(async (port) => {
        const list = String(await ask(port, 'CLIENT', 'LIST'));
        return list.split('\n').filter((line) => /\bsub=[1-9]/.test(line)).length;
      }),
    );
  }

  /** SIGKILL of the current primary (a crash: its socket closes). Returns its port. */
  async killPrimary(): Promise<number> {
    const port = await this.primaryPort();
    const child = this.nodes.get(port)!;
    await this.watchFailover(port);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    return port;
  }

  /** SIGSTOP of the current primary (a hung or cut-off host: its sockets stay open, silent). */
  async pausePrimary(): Promise<number> {
    const port = await this.primaryPort();
    await this.watchFailover(port);
    this.pause(port);
    return port;
  }

  /** SIGSTOP of one process of the topology (a Redis node or a sentinel), by port. */
  pause(port: number): void {
    this.process(port).kill('SIGSTOP');
  }

  /** SIGCONT of a paused process. */
  resume(port: number): void {
    this.process(port).kill('SIGCONT');
  }

  /**
   * A switchover by hand, as an operator does it: a replica is promoted (REPLICAOF NO ONE), the
   * primary and the other replica are made its replicas, and the sentinels are pointed at it
   * (SENTINEL REMOVE and MONITOR). Unlike a sentinel's failover, nothing closes the demoted
   * primary's client connections: their writes get READONLY. Resolves once the topology is stable
   * again; returns the new primary's port.
   */
  async switchoverByHand(): Promise<number> {
    const old = await this.primaryPort();
    const [next, other] = [...this.nodes.keys()].filter((port) => port !== old && this.alive(port));
    await ask(next, 'REPLICAOF', 'NO', 'ONE');
    for (const port of [old, other]) await ask(port, 'REPLICAOF', '127.0.0.1', String(next));
    for (const port of this.sentinelPorts) {
      await ask(port, 'SENTINEL', 'REMOVE', this.name);
      await ask(port, 'SENTINEL', 'MONITOR', this.name, '127.0.0.1', String(next), '2');
      await ask(port, 'SENTINEL', 'SET', this.name, ...this.sentinelSettings().flat());
    }
    await this.waitUntilStable(next, [old, other]);
    return next;
  }

  /**
   * Waits until a sentinel has announced the failover (`+switch-master`, which is also what the
   * gateway's failover detector reacts to), every sentinel that answers (at least two) names a
   * primary other than the one killed or paused, that node answers ROLE master, and a replica is
   * online behind it (so writes are replicated again).
   */
  async waitForFailover(timeoutMs: number): Promise<Failover> {
    const { failed, watch } = this;
    if (failed === undefined || !watch) throw new Error('no primary was killed or paused');
    const primary = await poll(`a failover away from port ${failed}`, timeoutMs, async () => {
      if (watch.announcedAt === undefined) return;
      const named = await Promise.all(
        this.sentinelPorts.map((port) =>
          ask(port, 'SENTINEL', 'get-master-addr-by-name', this.name).then(
            (reply) => (Array.isArray(reply) ? Number(reply[1]) : undefined),
            () => undefined,
          ),
        ),
      );
      // A sentinel that does not answer (paused by a test) has no say; a majority must answer.
      const answered = named.filter((port) => port !== undefined);
      const port = answered[0];
      if (answered.length < 2 || port === failed || answered.some((other) => other !== port))
        return;
      const role = await ask(port, 'ROLE').catch(() => null);
      if (!Array.isArray(role) || role[0] !== 'master') return;
      const info = String(await ask(port, 'INFO', 'replication').catch(() => ''));
      return /^slave\d+:.*state=online/m.test(info) ? port : undefined;
    });
    watch.close();
    this.watch = undefined;
    return { primary, announcedAt: watch.announcedAt! };
  }

  /** SIGKILL of every process (paused ones too) and removal of their files. */
  async stop(): Promise<void> {
    this.watch?.close();
    await Promise.all(
      [...this.nodes.values(), ...this.sentinelProcesses.values()].map(killAndWait),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The same without waiting, for a process' 'exit' handler (the soak's last resort). */
  killNow(): void {
    for (const child of [...this.nodes.values(), ...this.sentinelProcesses.values()]) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Listens for the announcement of the failover away from `port` before it is caused. */
  private async watchFailover(port: number): Promise<void> {
    this.watch?.close();
    this.failed = port;
    this.watch = await SwitchWatch.start(this.name, this.sentinelPorts);
  }

  private process(port: number): ChildProcess {
    const child = this.nodes.get(port) ?? this.sentinelProcesses.get(port);
    if (!child) throw new Error(`no process of the topology listens on ${port}`);
    return child;
  }

  private alive(port: number): boolean {
    const child = this.process(port);
    return child.exitCode === null && child.signalCode === null;
  }

  /** Replicas in sync with `primary`, and every sentinel naming it and knowing its peers. */
  private async waitUntilStable(primary: number, replicas: number[]): Promise<void> {
    await this.waitForReplicas(primary, replicas);
    await poll('every sentinel to know both replicas and the other sentinels', 15_000, () =>
      this.sentinelsAgree(primary),
    );
  }

  private waitForReplicas(primary: number, replicas: number[]): Promise<true> {
    const linked = new RegExp(`^master_port:${primary}\\r?$`, 'm');
    return poll('the replicas to sync', 10_000, async () => {
      const infos = await Promise.all(replicas.map((port) => ask(port, 'INFO', 'replication')));
      const synced = infos.map(String).every((info) => UP.test(info) && linked.test(info));
      return synced || undefined;
    });
  }

  private sentinelSettings(): [string, string][] {
    return [
      ['down-after-milliseconds', String(this.downAfterMs)],
      ['failover-timeout', String(this.failoverTimeoutMs)],
      ['parallel-syncs', '1'],
    ];
  }

  private async boot(primary: number, replicas: number[]): Promise<void> {
    this.startNode(primary, []);
    await waitForPort(primary, 5000);
    for (const port of replicas) {
      this.startNode(port, ['--replicaof', '127.0.0.1', String(primary)]);
    }
    await Promise.all(replicas.map((port) => waitForPort(port, 5000)));
    // Sentinels once the replicas are in sync, so the first INFO each sends lists both of them.
    await this.waitForReplicas(primary, replicas);
    for (const port of this.sentinelPorts) this.startSentinel(port, primary);
    await Promise.all(this.sentinelPorts.map((port) => waitForPort(port, 5000)));
    await this.waitUntilStable(primary, replicas);
  }

  private async sentinelsAgree(primary: number): Promise<true | undefined> {
    const healthy = (entry: Fields) => !/s_down|o_down|disconnected/.test(entry.flags ?? '');
    for (const port of this.sentinelPorts) {
      const [master, replicas, peers] = await Promise.all([
        ask(port, 'SENTINEL', 'get-master-addr-by-name', this.name),
        ask(port, 'SENTINEL', 'replicas', this.name).then(entries),
        ask(port, 'SENTINEL', 'sentinels', this.name).then(entries),
      ]);
      if (!Array.isArray(master) || Number(master[1]) !== primary) return;
      if (replicas.filter(healthy).length !== 2 || peers.filter(healthy).length !== 2) return;
    }
    return true;
  }

  private startNode(port: number, extra: string[]): void {
    const dir = join(this.dir, `redis-${port}`);
    mkdirSync(dir);
    // No persistence; diskless full syncs without the default 5 s delay, so replicas sync at once.
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
    args.push('--appendonly', 'no', '--repl-diskless-sync-delay', '0', ...extra);
    this.nodes.set(port, spawnQuiet(args));
  }

  private startSentinel(port: number, primary: number): void {
    // A sentinel rewrites its config file (discovered peers, epochs): it must be its own, writable.
    const conf = join(this.dir, `sentinel-${port}.conf`);
    const { name } = this;
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${this.dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${primary} 2`,
        ...this.sentinelSettings().map(([option, value]) => `sentinel ${option} ${name} ${value}`),
        '',
      ].join('\n'),
    );
    this.sentinelProcesses.set(port, spawnQuiet([conf, '--sentinel']));
  }
}

/** The outcome of {@link RedisSentinelTopology.waitForFailover}. */
export interface Failover {
  /** The new primary's port. */
  primary: number;
  /** When the first `+switch-master` for this master arrived (Date.now() ms). */
  announcedAt: number;
}

/** Subscriptions to `+switch-master` on every sentinel that answers. */
class SwitchWatch {
  announcedAt?: number;

  private constructor(private readonly clients: Redis[]) {}

  static async start(name: string, sentinelPorts: number[]): Promise<SwitchWatch> {
    const clients = sentinelPorts.map((port) => connection(port));
    const watch = new SwitchWatch(clients);
    await Promise.all(
      clients.map(async (client) => {
        client.on('message', (_channel: string, message: string) => {
          // `<name> <old ip> <old port> <new ip> <new port>`
          if (message.startsWith(`${name} `)) watch.announcedAt ??= Date.now();
        });
        // A paused sentinel never confirms: it times out and has no say, as in waitForFailover.
        await client
          .connect()
          .then(() => client.subscribe('+switch-master'))
          .catch(() => undefined);
      }),
    );
    return watch;
  }

  close(): void {
    for (const client of this.clients) client.disconnect();
  }
}

function spawnQuiet(args: string[]): ChildProcess {
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  // A missing redis-server shows as the port never opening; no unhandled 'error' event.
  child.on('error', () => undefined);
  return child;
}

function killAndWait(child: ChildProcess): Promise<unknown> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  return exited;
}

/** One command on a fresh connection that gives up fast (a paused node never answers). */
export async function ask(port: number, ...command: string[]): Promise<unknown> {
  const client = connection(port);
  try {
    await client.connect();
    return await client.call(command[0], ...command.slice(1));
  } finally {
    client.disconnect();
  }
}

function connection(port: number, commandTimeout = 1000): Redis {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    protocol: 2,
    lazyConnect: true,
    // No INFO round trip before the command: a paused node would hold connect() forever.
    enableReadyCheck: false,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    connectTimeout: 500,
    commandTimeout,
  });
  client.on('error', () => undefined);
  return client;
}

/** `SENTINEL replicas|sentinels` entries as objects. */
function entries(reply: unknown): Fields[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((flat: string[]) => {
    const fields: Fields = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
    return fields;
  });
}

async function poll<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
