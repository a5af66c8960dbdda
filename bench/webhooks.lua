-- wrk script for bench/ingest.sh: signed Shopify deliveries read from DELIVERIES
-- (one per line: topic, HMAC, body, tab-separated; three per order), each sent
-- once with its own X-Shopify-Webhook-Id. Thread t of T sends orders t, t+T, …,
-- each order's three deliveries in file order (its connections may still overlap
-- them: a parcel that arrives before its order is an unknown_order, as from
-- Shopify). Prints one RESULT line as bench/scale.lua does, and the outcomes.
local deliveries = {}
local threads, sent = 2, 0

threads_seen = {}

function setup(thread)
  table.insert(threads_seen, thread)
  thread:set("thread_no", #threads_seen)
end

function init(args)
  threads = tonumber(os.getenv("THREADS") or "2")
  thread_no = thread_no or 1
  for line in io.lines(os.getenv("DELIVERIES")) do
    local topic, hmac, body = line:match("^([^\t]+)\t([^\t]+)\t(.*)$")
    table.insert(deliveries, {topic, hmac, body})
  end
end

request = function()
  local order = (thread_no - 1) + threads * math.floor(sent / 3)
  local id = 3 * order + (sent % 3) + 1
  sent = sent + 1
  local d = deliveries[id]
  if d == nil then
    -- Past the end of the file: the first delivery again, a duplicate.
    d, id = deliveries[1], 1
  end
  return wrk.format("POST", "/api/v1/shops/demo/webhooks/shopify", {
    ["Content-Type"] = "application/json",
    ["X-Shopify-Topic"] = d[1],
    ["X-Shopify-Hmac-Sha256"] = d[2],
    ["X-Shopify-Webhook-Id"] = "bench-" .. id,
  }, d[3])
end

local known = {"applied", "duplicate", "stale", "unknown_order", "ignored_topic"}

response = function(status, headers, body)
  local outcome = body:match('"outcome":"([a-z_]+)"') or ("status_" .. status)
  _G["n_" .. outcome] = (_G["n_" .. outcome] or 0) + 1
end

done = function(summary, latency, requests)
  local parts = {}
  for _, outcome in ipairs(known) do
    local n = 0
    for _, thread in ipairs(threads_seen) do n = n + (thread:get("n_" .. outcome) or 0) end
    if n > 0 then table.insert(parts, outcome .. "=" .. n) end
  end
  io.write(string.format("RESULT webhook %.0f %.2f %.2f %d %d %d %s\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests,
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, " ")))
end
