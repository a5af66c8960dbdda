-- wrk script for bench/abuse.sh links: every request asks for a link to the
-- orders of a new email address, from a new client address (X-Forwarded-For,
-- from a trusted proxy), as a form post from the page itself.
local counter = 0
local tag = 0
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
  local forwarded = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254))
  return wrk.format("POST", "/track/demo/links",
    {["Content-Type"] = "application/x-www-form-urlencoded", ["X-Forwarded-For"] = forwarded,
     ["Sec-Fetch-Site"] = "same-origin"},
    string.format("email=flood%d-%d%%40example.com&mail_locale=en", tag or 0, counter))
end

answered = 0
response = function(status)
  if status == 303 then answered = answered + 1 end
end

done = function(summary, latency, requests)
  local n303 = 0
  for _, t in ipairs(threads) do n303 = n303 + (t:get("answered") or 0) end
  -- requests, requests/s, p50 ms, p99 ms, 303s, other answers or socket errors
  io.write(string.format("RESULT %d %.0f %.2f %.2f %d %d\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, n303, summary.requests - n303 + summary.errors.connect
      + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
