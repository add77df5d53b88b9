-- POST comments to one article as many different commenters, and report the run as one JSON line.
--
--   wrk -t2 -c50 -d15s --latency -s bench/wrk/comment.lua http://127.0.0.1:8000/blog/<slug>/commenter/ \
--       -- <csrftoken cookie> <csrfmiddlewaretoken> <ts> [run id]
--
-- The three values come from one GET of the article page (bench/blog_load.py fetches them, then waits
-- COMMENT_MIN_FILL_SECONDS so that the signed time stamp `ts` is old enough). Django accepts the same CSRF
-- token and the same `ts` for any number of POSTs. Every request uses a new e-mail address, so every
-- comment is a first comment: held for moderation, plus one task row for the moderators' e-mail notice.
-- Expected answer: 302 (redirect back to the article). 400 = form refused, 403 = CSRF refused.

local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
  table.insert(threads, thread)
end

local function urlencode(s)
  return (string.gsub(s, "[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

function init(args)
  local csrf_cookie = args[1] or ""
  local csrf_form = args[2] or csrf_cookie
  local ts = args[3] or ""
  run_id = args[4] or tostring(os.time())
  n = 0
  st_302, st_2xx, st_3xx, st_400, st_403, st_4xx, st_5xx, st_other = 0, 0, 0, 0, 0, 0, 0, 0
  shown_400, shown_other = false, false
  headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=" .. csrf_cookie,
    ["Accept"] = "text/html",
    ["Accept-Language"] = "fr",
    ["User-Agent"] = "frenchbot-bench/wrk",
  }
  -- Fields that never change; e-mail and body are added per request. `website` is the honeypot: empty.
  fixed = "csrfmiddlewaretoken=" .. urlencode(csrf_form) .. "&ts=" .. urlencode(ts) .. "&parent=&website="
end

function request()
  n = n + 1
  local who = string.format("t%d-%d", tid or 0, n)
  local body = fixed
    .. "&name=" .. urlencode("Lecteur " .. who)
    .. "&email=" .. urlencode(string.format("bench-%s-%s@example.com", run_id, who))
    .. "&body=" .. urlencode("Merci pour cet article très clair ! Commentaire de charge " .. who .. ".")
  return wrk.format("POST", nil, headers, body)
end

local function first_error(body)
  local msg = body and string.match(body, 'class="field__errors"[^>]*>%s*<p>(.-)</p>')
  return msg or (body and string.sub(body, 1, 200)) or ""
end

function response(status, headers, body)
  if status == 302 then
    st_302 = st_302 + 1
  elseif status >= 200 and status < 300 then
    st_2xx = st_2xx + 1
  elseif status >= 300 and status < 400 then
    st_3xx = st_3xx + 1
  elseif status == 400 then
    st_400 = st_400 + 1
    if not shown_400 then
      shown_400 = true
      io.write("WRK_FIRST_400 ", (string.gsub(first_error(body), "%s+", " ")), "\n")
    end
  elseif status == 403 then
    st_403 = st_403 + 1
  elseif status >= 400 and status < 500 then
    st_4xx = st_4xx + 1
  elseif status >= 500 then
    st_5xx = st_5xx + 1
    if not shown_other then
      shown_other = true
      io.write("WRK_FIRST_5XX ", status, "\n")
    end
  else
    st_other = st_other + 1
  end
end

function done(summary, latency, requests)
  local c = {s302 = 0, s2xx = 0, s3xx = 0, s400 = 0, s403 = 0, s4xx = 0, s5xx = 0, other = 0}
  for _, t in ipairs(threads) do
    c.s302 = c.s302 + (t:get("st_302") or 0)
    c.s2xx = c.s2xx + (t:get("st_2xx") or 0)
    c.s3xx = c.s3xx + (t:get("st_3xx") or 0)
    c.s400 = c.s400 + (t:get("st_400") or 0)
    c.s403 = c.s403 + (t:get("st_403") or 0)
    c.s4xx = c.s4xx + (t:get("st_4xx") or 0)
    c.s5xx = c.s5xx + (t:get("st_5xx") or 0)
    c.other = c.other + (t:get("st_other") or 0)
  end
  common.report(summary, latency, string.format(
    ',"statuses":{"302":%.0f,"2xx":%.0f,"other_3xx":%.0f,"400":%.0f,"403":%.0f,"other_4xx":%.0f,"5xx":%.0f,"other":%.0f}',
    c.s302, c.s2xx, c.s3xx, c.s400, c.s403, c.s4xx, c.s5xx, c.other))
end
