import type { ClusterOptions, RedisOptions } from 'ioredis';
import { Cluster, Redis } from 'ioredis';
import type { RedisSettings } from '../config/app-config';

/**
 * Fail fast, never queue: with no offline queue a command sent while Redis is down fails at once,
 * and a slow Redis is cut off after COMMAND_TIMEOUT_MS, so a request gets its 503 within ~2 s
 * (idempotency issue, behaviour 8). Reconnection goes on in the background with backoff.
 */
export const COMMAND_TIMEOUT_MS = 1500;

/**
 * Reconnect forever (a pod must heal without a restart: liveness does not depend on Redis), with
 * exponential backoff capped at 2 s and "equal jitter" (half fixed, half random) so that every
 * replica does not reconnect to a restarted Redis in the same instant.
 */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const capped = Math.min(50 * 2 ** attempt, 2000);
  return Math.round(capped / 2 + (capped / 2) * random());
}

const common: RedisOptions = {
  // RESP2, not ioredis 6's default RESP3: the Lua scripts' replies keep the shapes they were written
  // for (RESP3 turns a script's `false` into a boolean instead of nil), no HELLO round trip at
  // each (re)connect, and proxies and managed Redis that do not speak RESP3 behave the same.
  protocol: 2,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  commandTimeout: COMMAND_TIMEOUT_MS,
  connectTimeout: 1000,
  retryStrategy: (attempt: number) => reconnectDelayMs(attempt),
  lazyConnect: false,
  // Commands issued in the same tick share one write: fewer syscalls under load, and each
  // request still waits for exactly its own reply (one round trip per script).
  enableAutoPipelining: true,
};

/**
 * What lets the Sentinel client follow a failover by itself (test/idempotency/sentinel-*). A
 * crashed primary closes its socket, and each reconnect asks the sentinels again; these options
 * cover a primary that moves while its socket stays open.
 */
const sentinelFailover: RedisOptions = {
  // A hung or cut-off primary keeps the socket open (commands only time out): the client would
  // stay on it until TCP gives up, minutes later, then write to it when it wakes, still a primary
  // for seconds until the sentinels demote it, and those records are lost. The detector subscribes
  // to the sentinels' +switch-master and drops the connection at once (any master's switch: at
  // worst a spare reconnect).
  failoverDetector: true,
  // A hung primary never completes that close either, and ioredis reconnects only once the socket
  // is closed: destroy it after 500 ms rather than the default 2 s.
  disconnectTimeout: 500,
  // Without it a hung sentinel stalls the address lookup, and so every reconnect, for good.
  sentinelCommandTimeout: COMMAND_TIMEOUT_MS,
  reconnectOnError: reconnectOnReadOnly,
};

/**
 * A write refused with READONLY reached a replica: the primary this connection was opened to was
 * demoted without closing it (a sentinel closes its clients when it demotes one, an operator's
 * REPLICAOF does not), and every later write would fail the same way. Reconnect, which asks the
 * sentinels for the primary again. 1, not 2 (resend): the command fails and its request gets
 * 503 STORE_UNAVAILABLE, which the app retries with its key; no store step runs twice behind the
 * request's back. Redis 7 starts the message with the code; Redis 6 puts it after `-` inside a
 * script's error.
 */
export function reconnectOnReadOnly(error: Error): 1 | false {
  return /(^|-)READONLY /.test(error.message) ? 1 : false;
}

export function createRedisClient(
  settings: Exclude<RedisSettings, { kind: 'memory' }>,
): Redis | Cluster {
  switch (settings.kind) {
    case 'single':
      return new Redis(settings.url, { ...common, password: settings.password ?? undefined });
    case 'sentinel': {
      const client = new Redis({
        ...common,
        ...sentinelFailover,
        sentinels: settings.sentinels,
        name: settings.name,
        password: settings.password,
        sentinelPassword: settings.password,
      });
      // QUIT ends the connection but not the failover detector's sentinel subscriptions (ioredis
      // 6 closes them only in disconnect()): without this a closed client keeps the process alive.
      client.once('end', () => client.disconnect());
      return client;
    }
    case 'cluster': {
      const options: ClusterOptions = {
        enableOfflineQueue: false,
        enableAutoPipelining: true,
        clusterRetryStrategy: (attempt: number) => reconnectDelayMs(attempt),
        redisOptions: { ...common, password: settings.password },
        slotsRefreshTimeout: 1000,
      };
      return new Cluster(settings.nodes, options);
    }
    default: {
      const unhandled: never = settings;
      throw new Error(`unknown Redis settings ${JSON.stringify(unhandled)}`);
    }
  }
}

/** Resolves once the client is ready, or after `ms` regardless: start-up never hangs on Redis. */
export function waitUntilReady(client: Redis | Cluster, ms: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    client.once('ready', done);
  });
}
