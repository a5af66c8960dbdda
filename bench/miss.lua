-- wrk script: the same lookup again and again, from LOOKOUT_SHOP / LOOKOUT_EMAIL / LOOKOUT_NUMBER.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.path = "/api/v1/shops/" .. os.getenv("LOOKOUT_SHOP") .. "/lookup"
wrk.body = string.format('{"email":"%s","order_number":"%s"}', os.getenv("LOOKOUT_EMAIL"), os.getenv("LOOKOUT_NUMBER"))

local statuses = {}
response = function(status)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency)
  io.write(string.format("RESULT %d %.1f %.1f\n", summary.requests, latency:percentile(50), latency:percentile(99)))
end
