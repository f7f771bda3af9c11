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

export function createRedisClient(
  settings: Exclude<RedisSettings, { kind: 'memory' }>,
): Redis | Cluster {
  switch (settings.kind) {
    case 'single':
      return new Redis(settings.url, { ...common, password: settings.password ?? undefined });
    case 'sentinel':
      return new Redis({
        ...common,
        sentinels: settings.sentinels,
        name: settings.name,
        password: settings.password,
        sentinelPassword: settings.password,
      });
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
