/**
 * Lua scripts: each is one atomic step and one round trip. Every key a script touches carries the
 * member's hash tag `{memberId}`, so all of them live in one Cluster slot.
 *
 * Record: a hash with fp (fingerprint), cid (KONA correlation id), state (pending | released |
 * done), owner, lease (ms since epoch, Redis clock), status and body once done.
 */

/**
 * Redis' clock in ms, then a refusal if the caller has stopped waiting: a claim queued on the
 * socket while Redis stalled must not run when Redis resumes (a "phantom" claim would hold a key
 * for a request that was already answered 503, and count against the rate limit).
 */
const NOW_OR_LATE = (deadlineArg: string) => `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if now > tonumber(${deadlineArg}) then return {'late', '', '', '', 0, 0, now} end
`;

/**
 * KEYS: record, rate. ARGV: fp, owner, cid, leaseMs, ttlS, limit, windowMs, deadline (Redis ms).
 * Replies {kind, cid, a, b, count, reset, now}.
 */
export const CLAIM_SCRIPT = `${NOW_OR_LATE('ARGV[8]')}
local r = redis.call('HMGET', KEYS[1], 'fp', 'cid', 'state', 'owner', 'lease', 'status', 'body')
-- A replay is the answer the app already paid for: it is not counted against the rate limit.
if r[1] == ARGV[1] and r[3] == 'done' then return {'replay', r[2], r[6], r[7], 0, 0, now} end
local limit = tonumber(ARGV[6])
local count, reset = 0, 0
if limit > 0 then
  count = redis.call('INCR', KEYS[2])
  reset = redis.call('PTTL', KEYS[2])
  if reset < 0 then
    redis.call('PEXPIRE', KEYS[2], ARGV[7])
    reset = tonumber(ARGV[7])
  end
  if count > limit then return {'rate-limited', '', '', '', count, reset, now} end
end
if not r[1] then
  redis.call('HSET', KEYS[1], 'fp', ARGV[1], 'cid', ARGV[3], 'state', 'pending',
    'owner', ARGV[2], 'lease', now + tonumber(ARGV[4]))
  redis.call('EXPIRE', KEYS[1], ARGV[5])
  return {'claimed', ARGV[3], 'none', '', count, reset, now}
end
if r[1] ~= ARGV[1] then return {'reused', '', '', '', count, reset, now} end
local lease = tonumber(r[5] or '0')
if r[3] == 'pending' and lease > now then
  return {'in-use', r[2], tostring(lease - now), '', count, reset, now}
end
local previous = 'released'
if r[3] == 'pending' then previous = 'expired' end
redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'state', 'pending', 'lease', now + tonumber(ARGV[4]))
-- A retried key lives a full TTL again, so it cannot expire mid-call and lose its correlation id.
redis.call('EXPIRE', KEYS[1], ARGV[5])
return {'claimed', r[2], previous, '', count, reset, now}
`;

/**
 * KEYS: rate. ARGV: windowMs, deadline. The claim script's counter, for routes that claim nothing.
 * Replies {kind, '', '', '', count, reset, now} like a claim ('counted' or 'late').
 */
export const COUNT_SCRIPT = `${NOW_OR_LATE('ARGV[2]')}
local count = redis.call('INCR', KEYS[1])
local reset = redis.call('PTTL', KEYS[1])
if reset < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  reset = tonumber(ARGV[1])
end
return {'counted', '', '', '', count, reset, now}
`;

/**
 * KEYS: record. ARGV: owner, status, body, ttlS, cid. 1 when the answer is stored, also when an
 * earlier attempt already stored this very answer (its reply was lost to a timeout, so it is
 * retried): completing is idempotent.
 */
export const COMPLETE_SCRIPT = `
local r = redis.call('HMGET', KEYS[1], 'owner', 'state', 'cid', 'status', 'body')
if r[2] == 'done' and r[3] == ARGV[5] and r[4] == ARGV[2] and r[5] == ARGV[3] then return 1 end
if r[1] ~= ARGV[1] or r[2] ~= 'pending' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'done', 'status', ARGV[2], 'body', ARGV[3], 'cid', ARGV[5],
  'owner', '', 'lease', '0')
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
`;

/**
 * KEYS: record. ARGV: owner, leaseMs. Extends the holder's lease (while its final answer is being
 * stored): nobody may take the key over meanwhile. 0 when `owner` no longer holds it.
 */
export const RENEW_SCRIPT = `
local r = redis.call('HMGET', KEYS[1], 'owner', 'state')
if r[1] ~= ARGV[1] or r[2] ~= 'pending' then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], 'lease', now + tonumber(ARGV[2]))
return 1
`;

/** KEYS: record. ARGV: owner. Keeps fp and cid so a retry sends the same correlation id. */
export const RELEASE_SCRIPT = `
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 0 end
if redis.call('HGET', KEYS[1], 'state') ~= 'pending' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'released', 'owner', '', 'lease', '0')
return 1
`;
