-- GET one page at a steady rate instead of as fast as possible (the page as a busy day sees it), and report
-- the run as one JSON line (same format as page.lua). The rate is kept on a clock, whatever the latency (see
-- schedule_delay below), by each wrk thread: run it with -t1. <connections> is kept for the command line's sake.
--
--   wrk -t1 -c10 -d15s --latency -s bench/wrk/paced_page.lua http://127.0.0.1:8000/blog/<slug>/ -- <rate> <connections>

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

-- Every request takes the next slot of one schedule, `interval_ms` apart, whichever connection is free: the
-- rate holds whatever the latency, as long as enough connections are free. A server that falls behind gets
-- at most one second of missed slots sent at once, not the whole backlog.
local next_slot = nil
local function schedule_delay(interval_ms)
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

wrk.headers["Accept"] = "text/html"
wrk.headers["Accept-Language"] = "fr"
local interval_ms = 5

function init(args)
  interval_ms = 1000 / tonumber(args[1] or "200")
end

function delay()
  return schedule_delay(interval_ms)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%.0f,"duration_us":%.0f,"bytes":%.0f,' ..
    '"p50_us":%.0f,"p90_us":%.0f,"p99_us":%.0f,"max_us":%.0f,"mean_us":%.1f,' ..
    '"errors":{"connect":%.0f,"read":%.0f,"write":%.0f,"timeout":%.0f,"status":%.0f}}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.timeout, e.status))
end
