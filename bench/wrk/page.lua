-- GET one page of the blog as fast as wrk can, and report the run as one JSON line.
--
--   wrk -t2 -c32 -d15s --latency -s bench/wrk/page.lua http://127.0.0.1:8000/blog/<slug>/
--
-- No response() hook on purpose: defining one makes wrk parse every body, which costs client CPU on a
-- 2-core machine where wrk and the server share the processors. Status errors come from wrk's own count
-- ("Non-2xx or 3xx responses"), socket errors from summary.errors.

local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

wrk.headers["Accept"] = "text/html"
wrk.headers["Accept-Language"] = "fr"

function done(summary, latency, requests)
  common.report(summary, latency)
end
