-- wrk script for bench/scale.sh. MODE (environment) chooses the requests:
--   healthz  GET /healthz
--   hit      lookups of random generated orders (#G0000001 .. #G<ORDERS>)
--   miss     lookups of random generated order numbers with a wrong email
--   ingest   PUTs of new orders through the REST API (KEY: an API key of `demo`)
-- Health checks and lookups are made before the run: each thread draws REQUESTS
-- (default 65,536) random orders from all ORDERS and sends their lookups in
-- turn. wrk runs on the same cores as the server unless pinned apart, and
-- building a request per request in Lua cost it more CPU for a lookup (two
-- formats, a random number, a header table) than for a health check, which
-- measured wrk as much as the server.
local mode = os.getenv("MODE") or "hit"
local orders = tonumber(os.getenv("ORDERS") or "1000")
local key = os.getenv("KEY") or ""
local template = nil
local counter = 0
local thread_tag = nil
local made = {}
local made_count = 0

function setup(thread)
  thread:set("tag", tostring(math.random(100000, 999999)))
end

function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000) + tonumber(tag or "0"))
  thread_tag = tag or tostring(math.random(100000, 999999))
  if mode == "ingest" then
    local f = assert(io.open(os.getenv("TEMPLATE"), "r"))
    template = f:read("*a")
    f:close()
  elseif mode == "healthz" then
    made[1] = wrk.format("GET", "/healthz")
  else
    for n = 1, tonumber(os.getenv("REQUESTS") or "65536") do
      made[n] = lookup(math.random(1, orders))
    end
  end
  made_count = #made
end

function lookup(i)
  local email = string.format("shopper%d@example.com", i)
  if mode == "miss" then email = string.format("nobody%d@example.com", i) end
  return wrk.format("POST", "/api/v1/shops/demo/lookup", {["Content-Type"] = "application/json"},
    string.format('{"email":"%s","order_number":"#G%07d"}', email, i))
end

request = function()
  if mode == "ingest" then
    counter = counter + 1
    local number = string.format("I%s-%d", thread_tag, counter)
    local body = template:gsub("#1001", "#" .. number, 1)
    return wrk.format("PUT", "/api/v1/shops/demo/orders/" .. number,
      {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}, body)
  end
  counter = counter % made_count + 1
  return made[counter]
end

done = function(summary, latency, requests)
  -- mode, requests/s, p50 ms, p99 ms, requests, answers >= 400, socket errors
  io.write(string.format("RESULT %s %.0f %.2f %.2f %d %d %d\n", mode,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests,
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
