-- GET one page at a steady rate instead of as fast as possible (the page as a busy day sees it), and report
-- the run as one JSON line (same format as page.lua). The rate is kept on a clock, whatever the latency (see
-- common.lua's pacer), by each wrk thread: run it with -t1. <connections> is kept for the command line's sake.
--
--   wrk -t1 -c10 -d15s --latency -s bench/wrk/paced_page.lua http://127.0.0.1:8000/blog/<slug>/ -- <rate> <connections>

local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local schedule_delay = common.pacer()

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
  common.report(summary, latency)
end
