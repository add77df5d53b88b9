-- What the wrk scripts of bench/ share: the run's report as one JSON line, and a clock that paces requests.
-- Each script loads it from its own folder, whatever the current directory:
--
--   local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local M = {}

-- The run as one `WRK_JSON {...}` line on stdout, which the Python side of the benchmark parses; `extra` (a
-- string starting with a comma) adds fields of the script's own.
function M.report(summary, latency, extra)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%.0f,"duration_us":%.0f,"bytes":%.0f,' ..
    '"p50_us":%.0f,"p90_us":%.0f,"p99_us":%.0f,"max_us":%.0f,"mean_us":%.1f,' ..
    '"errors":{"connect":%.0f,"read":%.0f,"write":%.0f,"timeout":%.0f,"status":%.0f}%s}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.timeout, e.status, extra or ""))
end

-- A monotonic clock in milliseconds (wrk's LuaJIT has the FFI; Lua's own clocks are in seconds or CPU time).
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } fb_timespec;
int clock_gettime(int clock, fb_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("fb_timespec")
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

-- A function for wrk's delay() hook: every request takes the next slot of one schedule, `interval_ms` apart,
-- whichever connection is free, so the rate holds whatever the latency as long as enough connections are
-- free. A server that falls behind gets at most one second of missed slots sent at once, not the backlog.
function M.pacer()
  local next_slot = nil
  return function(interval_ms)
    local now = now_ms()
    if next_slot == nil or next_slot < now - 1000 then
      next_slot = now
    end
    local wait = next_slot - now
    next_slot = next_slot + interval_ms
    if wait < 0 then
      return 0
    end
    return math.floor(wait)
  end
end

return M
