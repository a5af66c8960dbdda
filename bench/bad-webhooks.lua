-- wrk script for bench/abuse.sh webhooks: deliveries to the demo shop from one
-- client, each with a body of 1,000,000 bytes and a signature of the right shape
-- (base64 of 32 bytes) that is not the body's HMAC under any secret.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

wrk.method = "POST"
wrk.path = "/api/v1/shops/demo/webhooks/shopify"
wrk.body = '{"junk":"' .. string.rep("x", 999989) .. '"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Shopify-Topic"] = "orders/create"
wrk.headers["X-Shopify-Hmac-Sha256"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

counts = {}
response = function(status, headers)
  local key = tostring(status)
  counts[key] = (counts[key] or 0) + 1
end

done = function(summary, latency, requests)
  -- requests, requests/s, p50 ms, p99 ms, then status counts
  local all = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts") or {}
    for k, v in pairs(c) do all[k] = (all[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(all) do table.insert(parts, k .. "=" .. v) end
  table.sort(parts)
  local e = summary.errors
  io.write(string.format("RESULT %d %.0f %.2f %.2f %s errors=%d/%d/%d/%d\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, table.concat(parts, ","), e.connect, e.read, e.write, e.timeout))
end
