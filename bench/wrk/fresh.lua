-- wrk -s bench/wrk/fresh.lua: PUT the limits body with a fresh Idempotency-Key on every request
-- and a bearer token from a pool of members, round-robin.
--
-- Environment (set by bench/load.js): KBFF_WRK_PATH, KBFF_WRK_BODY, KBFF_WRK_TOKENS (a file, one
-- token a line), KBFF_WRK_KEY_PREFIX. The prefix is new for every load phase (run id, round,
-- phase), and each thread adds its id and a counter: no key is ever sent twice, in this phase or
-- any earlier one, so no "fresh" request can be answered as a replay (common.lua counts any that is).
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")

local path = env("KBFF_WRK_PATH")
local body = env("KBFF_WRK_BODY")
local headers = { ["Content-Type"] = "application/json" }
local tokens, prefix, offset
local n = 0

function init(args)
  tokens = {}
  for line in io.lines(env("KBFF_WRK_TOKENS")) do
    if line ~= "" then table.insert(tokens, "Bearer " .. line) end
  end
  prefix = env("KBFF_WRK_KEY_PREFIX") .. "-t" .. thread_id .. "-"
  -- Threads start at different members so they do not walk the pool in step.
  offset = thread_id * 389
end

function request()
  n = n + 1
  sent = sent + 1
  headers["Idempotency-Key"] = prefix .. n
  headers["Authorization"] = tokens[(n + offset) % #tokens + 1]
  return wrk.format("PUT", path, headers, body)
end
