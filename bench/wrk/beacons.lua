-- POST audience beacons at a steady rate, each from another X-Forwarded-For address, and report the run as
-- one JSON line (same format as page.lua).
--
--   wrk -t1 -c20 -d15s --latency -s bench/wrk/beacons.lua http://127.0.0.1:8000/mesure/ -- <rate> <connections> <path>
--
-- The rate is kept by delay(): each connection waits connections/rate seconds between two beacons (on top of
-- the answer's latency, which is small), so wrk sends about <rate> beacons a second in all.

local prefixes = {"90.84", "2.3", "86.245", "78.192", "92.184", "176.128", "5.51", "212.27"}
local counter = 0
local interval_ms = 20
local path = "/"

function init(args)
  local rate = tonumber(args[1] or "1000")
  local connections = tonumber(args[2] or "20")
  path = args[3] or "/"
  interval_ms = 1000 * connections / rate
  counter = math.random(1, 1000000)
end

function delay()
  return interval_ms
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
