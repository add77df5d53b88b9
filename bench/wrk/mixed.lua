-- GET a rotation of pages (articles, lists, search...) as fast as wrk can, and report the run as one JSON
-- line (same format as page.lua). The paths come after `--`; each thread starts at a different place in the
-- list so that the threads do not ask for the same page at the same moment.
--
--   wrk -t2 -c10 -d600s --latency -s bench/wrk/mixed.lua http://127.0.0.1:8000 -- / /blog/ /recherche/?q=ia
--
-- No response() hook, as in page.lua: parsing every body would cost client CPU on a shared 2-core machine.

local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

wrk.headers["Accept"] = "text/html"
wrk.headers["Accept-Language"] = "fr"

local threads = 0

function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

function init(args)
  paths = args
  if #paths == 0 then
    paths = { "/" }
  end
  -- Spread the threads over the list (offset * 7 wraps round lists of any length).
  position = ((offset or 0) * 7) % #paths
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position])
end

function done(summary, latency, requests)
  common.report(summary, latency)
end
