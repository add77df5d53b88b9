-- GET one page of the blog as fast as wrk can, and report the run as one JSON line.
--
--   wrk -t2 -c32 -d15s --latency -s bench/wrk/page.lua http://127.0.0.1:8000/blog/<slug>/
--
-- No response() hook on purpose: defining one makes wrk parse every body, which costs client CPU on a
-- 2-core machine where wrk and the server share the processors. Status errors come from wrk's own count
-- ("Non-2xx or 3xx responses"), socket errors from summary.errors.

wrk.headers["Accept"] = "text/html"
wrk.headers["Accept-Language"] = "fr"

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
