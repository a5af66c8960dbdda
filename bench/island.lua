-- wrk script for bench/abuse.sh island: the lookup island's background posts
-- (`lookout-fragment: lookup`) from a new client address each (X-Forwarded-For,
-- from a trusted proxy): every other one junk (a malformed email and a 4 KiB
-- order number), the rest wrong guesses at random order numbers.
local counter = 0
local tag = 0
local threads = {}
local junk = string.rep("x", 4096)

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
  local forwarded = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  local body
  if counter % 2 == 0 then
    body = "email=not-an-email&order_number=" .. junk
  else
    body = string.format("email=guess%d-%d%%40example.com&order_number=%%23%d", tag or 0, counter, math.random(1, 999999))
  end
  return wrk.format("POST", "/track/demo",
    {["Content-Type"] = "application/x-www-form-urlencoded", ["X-Forwarded-For"] = forwarded,
     ["Sec-Fetch-Site"] = "same-origin", ["Lookout-Fragment"] = "lookup"}, body)
end

counts = {}
response = function(status, headers)
  local fragment = headers["lookout-fragment"] or headers["Lookout-Fragment"]
  local key = tostring(status) .. (fragment and "f" or "")
  counts[key] = (counts[key] or 0) + 1
end

done = function(summary, latency, requests)
  -- requests, requests/s, p50 ms, p99 ms, then status counts (f: a fragment answer)
  local all = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts") or {}
    for k, v in pairs(c) do all[k] = (all[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(all) do table.insert(parts, k .. "=" .. v) end
  table.sort(parts)
  io.write(string.format("RESULT %d %.0f %.2f %.2f %s\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, table.concat(parts, ",")))
end
