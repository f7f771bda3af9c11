-- wrk -s bench/wrk/replay.lua: the same request over and over (one member, one Idempotency-Key,
-- one body) after bench/run.js has sent it once, so every answer is a replay of the stored one.
--
-- Environment (set by bench/load.js): KBFF_WRK_PATH, KBFF_WRK_BODY, KBFF_WRK_TOKEN, KBFF_WRK_KEY.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")

local request_text

function init(args)
  request_text = wrk.format("PUT", env("KBFF_WRK_PATH"), {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. env("KBFF_WRK_TOKEN"),
    ["Idempotency-Key"] = env("KBFF_WRK_KEY"),
  }, env("KBFF_WRK_BODY"))
end

-- Built once in init; a function (rather than wrk's static request) only so `sent` is counted.
function request()
  sent = sent + 1
  return request_text
end
