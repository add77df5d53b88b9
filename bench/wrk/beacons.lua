-- POST audience beacons at a steady rate, each from another X-Forwarded-For address, and report the run as
-- one JSON line (same format as page.lua).
--
--   wrk -t1 -c20 -d15s --latency -s bench/wrk/beacons.lua http://127.0.0.1:8000/mesure/ -- <rate> <connections> <path>
--
-- The rate is kept by delay() on a clock (below): the beacons are sent <rate> a second whatever the answers'
-- latency, as long as <connections> are enough to have one free at each slot (wrk's threads each keep their
-- own schedule: run it with -t1, or give each thread its share of the rate). <connections> is only used to
-- check that; the schedule does not depend on it.

local prefixes = {"90.84", "2.3", "86.245", "78.192", "92.184", "176.128", "5.51", "212.27"}
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

local counter = 0
local interval_ms = 1
local path = "/"

function init(args)
  local rate = tonumber(args[1] or "1000")
  path = args[3] or "/"
  interval_ms = 1000 / rate
  counter = math.random(1, 1000000)
end

function delay()
  return schedule_delay(interval_ms)
end

function request()
  counter = counter + 1
  local n = counter
  local address = string.format("%s.%d.%d", prefixes[n % #prefixes + 1], math.floor(n / 8) % 250 + 1, math.floor(n / 2000) % 250 + 1)
  local body
  if n % 2 == 0 then
    body = string.format('{"k":"v","u":"%s?utm_source=bench","r":"https://www.google.fr/","w":1280}', path)
  else
    body = string.format('{"k":"e","u":"%s","d":%d,"s":%d,"w":1280}', path, 30 + n % 90, n % 101)
  end
  return wrk.format("POST", nil, {
    ["Content-Type"] = "text/plain;charset=UTF-8",
    ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    ["X-Forwarded-For"] = address,
  }, body)
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
