-- wrk script for bench/ingest.sh: signed Shopify deliveries read from DELIVERIES
-- (one per line: topic, HMAC, body, tab-separated), each sent once with its own
-- X-Shopify-Webhook-Id; threads take alternate lines. Prints one RESULT line as
-- bench/scale.lua does.
local deliveries = {}
local next_line = 0
local step = 1

function setup(thread)
  thread:set("first", tostring(#threads_seen + 1))
  table.insert(threads_seen, thread)
end
threads_seen = {}

function init(args)
  next_line = tonumber(first) or 1
  step = tonumber(os.getenv("THREADS") or "2")
  for line in io.lines(os.getenv("DELIVERIES")) do
    local topic, hmac, body = line:match("^([^\t]+)\t([^\t]+)\t(.*)$")
    table.insert(deliveries, {topic, hmac, body})
  end
end

request = function()
  local d = deliveries[next_line]
  local id = next_line
  next_line = next_line + step
  if d == nil then
    -- Past the end of the file: the same delivery again, a duplicate.
    d = deliveries[1]
    id = 1
  end
  return wrk.format("POST", "/api/v1/shops/demo/webhooks/shopify", {
    ["Content-Type"] = "application/json",
    ["X-Shopify-Topic"] = d[1],
    ["X-Shopify-Hmac-Sha256"] = d[2],
    ["X-Shopify-Webhook-Id"] = "bench-" .. id,
  }, d[3])
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT webhook %.0f %.2f %.2f %d %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests,
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
