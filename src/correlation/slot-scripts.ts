/**
 * The instance slots, one hash `kbff:slots` (one key: a single Cluster slot): field = slot number,
 * value = "owner:expiryMs" on Redis' clock. A slot is free once its expiry is GRACE_MS past, so
 * the ids of its last holder (which stops using it before the expiry) and of the next one lie in
 * different seconds even if the two pods' clocks differ by up to that much.
 */
export const SLOTS_KEY = 'kbff:slots';
export const GRACE_MS = 2000;

/** KEYS: slots. ARGV: owner, ttlMs, first slot to try, slot count. Replies the slot, or -1. */
export const ACQUIRE_SLOT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local count = tonumber(ARGV[4])
for i = 0, count - 1 do
  local slot = (tonumber(ARGV[3]) + i) % count
  local held = redis.call('HGET', KEYS[1], slot)
  local expiry = held and tonumber(string.match(held, ':(%d+)$')) or 0
  if expiry + ${GRACE_MS} < now then
    redis.call('HSET', KEYS[1], slot, ARGV[1] .. ':' .. (now + tonumber(ARGV[2])))
    return slot
  end
end
return -1
`;

/** KEYS: slots. ARGV: owner, ttlMs, slot. 1 when renewed, 0 when the slot is no longer ours. */
export const RENEW_SLOT_SCRIPT = `
local held = redis.call('HGET', KEYS[1], ARGV[3])
if not held or string.match(held, '^(.*):%d+$') ~= ARGV[1] then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], ARGV[3], ARGV[1] .. ':' .. (now + tonumber(ARGV[2])))
return 1
`;
