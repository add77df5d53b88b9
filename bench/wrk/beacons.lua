-- POST audience beacons at a steady rate, each from another X-Forwarded-For address, and report the run as
-- one JSON line (same format as page.lua).
--
--   wrk -t1 -c20 -d15s --latency -s bench/wrk/beacons.lua http://127.0.0.1:8000/mesure/ -- <rate> <connections> <path>
--
-- The rate is kept by delay() on a clock (below): the beacons are sent <rate> a second whatever the answers'
-- latency, as long as <connections> are enough to have one free at each slot (wrk's threads each keep their
-- own schedule: run it with -t1, or give each thread its share of the rate). <connections> is only used to
-- check that; the schedule does not depend on it.

local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local prefixes = {"90.84", "2.3", "86.245", "78.192", "92.184", "176.128", "5.51", "212.27"}
local schedule_delay = common.pacer()

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
  common.report(summary, latency)
end
