import type { Cluster, Redis } from 'ioredis';

/** What the idempotency guarantee needs from Redis (README "Idempotency", "What Redis must provide"). */
export type Durability =
  | { kind: 'durable' }
  | { kind: 'not-durable'; problems: string[] }
  | { kind: 'unknown'; reason: string };

const SAFE_FSYNC = new Set(['everysec', 'always']);

/**
 * Reads the settings behind the guarantee: append-only persistence with an fsync policy that
 * loses at most a second, and no eviction (every record has a TTL, so even the `volatile-*`
 * policies would evict live records under memory pressure). Managed Redis often refuses CONFIG:
 * then the answer is "unknown", never a guess.
 */
export async function readDurability(client: Redis | Cluster): Promise<Durability> {
  const servers = 'nodes' in client ? client.nodes('master') : [client];
  if (servers.length === 0) return { kind: 'unknown', reason: 'no primary is known yet' };
  const problems = new Set<string>();
  for (const server of servers) {
    let settings: Record<string, string>;
    try {
      settings = pairs(await server.config('GET', 'appendonly', 'appendfsync', 'maxmemory-policy'));
    } catch (error) {
      return {
        kind: 'unknown',
        reason: `CONFIG GET refused: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    for (const problem of problemsOf(settings)) problems.add(problem);
  }
  return problems.size === 0
    ? { kind: 'durable' }
    : { kind: 'not-durable', problems: [...problems] };
}

export function problemsOf(settings: Record<string, string>): string[] {
  const problems: string[] = [];
  if (settings.appendonly !== 'yes') {
    problems.push(`appendonly is "${settings.appendonly ?? '?'}" (a restart forgets every record)`);
  } else if (!SAFE_FSYNC.has(settings.appendfsync ?? '')) {
    problems.push(
      `appendfsync is "${settings.appendfsync ?? '?'}" (a crash may lose more than the last second)`,
    );
  }
  if (settings['maxmemory-policy'] !== 'noeviction') {
    problems.push(
      `maxmemory-policy is "${settings['maxmemory-policy'] ?? '?'}" (live records may be evicted)`,
    );
  }
  return problems;
}

function pairs(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]] = flat[i + 1];
  return out;
}
