-- wrk script for bench/abuse.sh misses: every request a lookup miss with a new
-- order number, a new email and (through X-Forwarded-For, from a trusted proxy)
-- a new client address, so that every limiter table fills with distinct keys.
local counter = 0
local tag = 0
-- RUN (environment) keeps numbers distinct across several wrk runs.
local run = tonumber(os.getenv("RUN") or "0")
local threads = {}

function setup(thread)
  tag = tag + 1
  thread:set("tag", tag)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + (tag or 0))
end

request = function()
  counter = counter + 1
  local n = (run * 16 + (tag or 0)) * 100000000 + counter
  local forwarded = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  return wrk.format("POST", "/api/v1/shops/demo/lookup",
    {["Content-Type"] = "application/json", ["X-Forwarded-For"] = forwarded},
    string.format('{"email":"flood%d@example.com","order_number":"#F%d"}', n, n))
end

not_found, limited = 0, 0
response = function(status)
  if status == 404 then not_found = not_found + 1 elseif status == 429 then limited = limited + 1 end
end

done = function(summary, latency, requests)
  local n404, n429 = 0, 0
  for _, t in ipairs(threads) do
    n404 = n404 + (t:get("not_found") or 0)
    n429 = n429 + (t:get("limited") or 0)
  end
  -- requests, requests/s, p50 ms, p99 ms, 404s, 429s, other answers >= 400 or socket errors
  io.write(string.format("RESULT %d %.0f %.2f %.2f %d %d %d\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, n404, n429,
    summary.errors.status - n404 - n429 + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
end
