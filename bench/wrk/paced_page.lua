-- GET one page at a steady rate instead of as fast as possible (the page as a busy day sees it), and report
-- the run as one JSON line (same format as page.lua).
--
--   wrk -t1 -c10 -d15s --latency -s bench/wrk/paced_page.lua http://127.0.0.1:8000/blog/<slug>/ -- <rate> <connections>

wrk.headers["Accept"] = "text/html"
wrk.headers["Accept-Language"] = "fr"
local interval_ms = 50

function init(args)
  interval_ms = 1000 * tonumber(args[2] or "10") / tonumber(args[1] or "200")
end

function delay()
  return interval_ms
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
