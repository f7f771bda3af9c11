/**
 * Why a Redis command failed, as `redis_errors_total{kind}` counts it: `timeout` (no reply within
 * the command timeout), `connection` (no usable connection: down, closed, not writable), `late`
 * (a script refused to act because its caller had stopped waiting), `unreplicated` (fewer
 * replicas acknowledged than REDIS_MIN_REPLICAS), `command` (Redis answered an error).
 */
export const REDIS_ERROR_KINDS = [
  'timeout',
  'connection',
  'late',
  'unreplicated',
  'command',
] as const;
export type RedisErrorKind = (typeof REDIS_ERROR_KINDS)[number];

const CONNECTION =
  /connection is closed|stream isn't writeable|enableofflinequeue|econn|epipe|etimedout|ehostunreach|enotfound|all sentinels are unreachable|none of startup nodes|cluster is not ready|connect/i;

export function redisErrorKind(error: unknown): RedisErrorKind {
  const message = error instanceof Error ? error.message : String(error);
  if (/command timed out/i.test(message)) return 'timeout';
  if (CONNECTION.test(message)) return 'connection';
  return 'command';
}
