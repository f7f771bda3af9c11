-- Shared by fresh.lua and replay.lua (loaded with dofile). wrk runs a script in one Lua state per
-- thread plus one for setup() and done(): the counters below are per thread, summed in done()
-- through thread:get, which copies them out of each thread's state.
--
-- Counting in response() makes wrk parse every answer's headers: a little more load-generator CPU,
-- the price of knowing the statuses and of seeing Idempotent-Replayed on each answer.

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

ok, non2xx, replayed, sent = 0, 0, 0, 0
codes = {}

function response(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1 else non2xx = non2xx + 1 end
  local code = tostring(status)
  codes[code] = (codes[code] or 0) + 1
  -- wrk keys headers as the server spelled them; the gateway writes them in lower case.
  local flag = headers["idempotent-replayed"] or headers["Idempotent-Replayed"]
  if flag == "true" then replayed = replayed + 1 end
end

-- Reads `name` from the environment; missing is a mistake of the caller (bench/load.js).
function env(name)
  local value = os.getenv(name)
  if value == nil or value == "" then error(name .. " is not set") end
  return value
end

-- One JSON line on stdout, marked so bench/load.js finds it after wrk's own report.
function done(summary, latency, requests)
  local total = { ok = 0, non2xx = 0, replayed = 0, sent = 0 }
  local all_codes = {}
  for _, thread in ipairs(threads) do
    for name in pairs(total) do total[name] = total[name] + (thread:get(name) or 0) end
    for code, n in pairs(thread:get("codes") or {}) do all_codes[code] = (all_codes[code] or 0) + n end
  end
  local code_fields = {}
  for code, n in pairs(all_codes) do table.insert(code_fields, string.format('"%s":%d', code, n)) end
  local e = summary.errors
  io.write(string.format(
    'KBFF_WRK_RESULT {"durationUs":%.0f,"requests":%.0f,"bytes":%.0f,"ok":%d,"non2xx":%d,' ..
      '"replayed":%d,"sent":%d,"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
      '"latencyUs":{"p50":%.0f,"p90":%.0f,"p99":%.0f,"p999":%.0f,"max":%.0f,"mean":%.1f},' ..
      '"codes":{%s}}\n',
    summary.duration, summary.requests, summary.bytes, total.ok, total.non2xx,
    total.replayed, total.sent, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean,
    table.concat(code_fields, ",")))
end
