-- A realistic mix for wrk: 90% reads (the analysis, webinar and consultation pages, the list and the
-- API), 9% comment posts through the API, 1% subscriptions. Each request comes "through the proxy"
-- from its own address (X-Forwarded-For), so per-address limits see many readers, not one.
-- Environment: BENCH_READ_PATHS (space-separated), BENCH_COMMENTS_PATH, BENCH_ISSUED (the
-- comment-policy token), all set by bench.loadtest.
dofile("bench/loadtest/report.lua")
local summary_done = done

local threads = {}
local reads = {}
for path in string.gmatch(os.getenv("BENCH_READ_PATHS") or "/", "%S+") do
  table.insert(reads, path)
end
local comments_path = os.getenv("BENCH_COMMENTS_PATH")
local issued = os.getenv("BENCH_ISSUED")
-- Which run of wrk this is (the warm-up, then the timed one): each run's readers are new people, or a
-- run's first comments would repeat the warm-up's, seconds apart, and be refused as posted twice.
local run = tonumber(os.getenv("BENCH_RUN") or "0")
local json = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }

setup = function(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

init = function(args)
  math.randomseed(os.time() * 1000 + id)
  sent = 0
  reads_done, posts_done, subscriptions_done, failures, failed_statuses = 0, 0, 0, 0, ""
end

-- Every request's own address, 10.<run and thread>.x.y, counted rather than drawn.
local function address()
  return string.format("10.%d.%d.%d", run * 16 + id, math.floor(sent / 254) % 256, sent % 254 + 1)
end

request = function()
  sent = sent + 1
  local roll = math.random(100)
  local headers = { ["X-Forwarded-For"] = address() }
  local who = string.format("load-%d-%d-%d", run, id, sent)
  if roll == 1 then
    for k, v in pairs(json) do headers[k] = v end
    local body = string.format('{"email": "%s@example.org", "all_analyses": true}', who)
    return wrk.format("POST", "/api/v1/subscriptions/", headers, body)
  elseif roll <= 10 then
    for k, v in pairs(json) do headers[k] = v end
    local body = string.format(
      '{"name": "Reader %s", "email": "%s@example.org", "accept_policy": true, "issued": "%s", '
        .. '"text": "Comment %s: research clusters need long-term, place-based funding and housing."}',
      who, who, issued, who)
    return wrk.format("POST", comments_path, headers, body)
  end
  return wrk.format("GET", reads[math.random(#reads)], headers)
end

-- Each kind of request answers with its own success status: a page 200, a comment 201, a
-- subscription 202; anything else is counted as failed.
response = function(status, headers, body)
  if status == 200 then
    reads_done = reads_done + 1
  elseif status == 201 then
    posts_done = posts_done + 1
  elseif status == 202 then
    subscriptions_done = subscriptions_done + 1
  else
    failures = failures + 1
    -- The status and the start of the answer (which names the limit or the field), JSON-safe.
    local said = string.sub(body or "", 1, 160):gsub('[%c"\\]', " ")
    failed_statuses = failed_statuses .. status .. " " .. said .. "; "
  end
end

done = function(summary, latency, requests)
  local totals = { reads = 0, posts = 0, subscriptions = 0, failures = 0, statuses = "" }
  for _, thread in ipairs(threads) do
    totals.reads = totals.reads + thread:get("reads_done")
    totals.posts = totals.posts + thread:get("posts_done")
    totals.subscriptions = totals.subscriptions + thread:get("subscriptions_done")
    totals.failures = totals.failures + thread:get("failures")
    totals.statuses = totals.statuses .. thread:get("failed_statuses")
  end
  io.write(string.format(
    '{"reads": %d, "comment_posts": %d, "subscriptions": %d, "failed": %d, "failed_statuses": "%s"}\n',
    totals.reads, totals.posts, totals.subscriptions, totals.failures, totals.statuses))
  summary_done(summary, latency, requests)
end
