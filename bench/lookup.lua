-- wrk script: successful lookups of the demo shop's orders, rotating through them.
local orders = {
  {"ada@example.com", "#1001"}, {"bjorn@example.com", "#1002"}, {"clara@example.com", "#1003"},
  {"dieter@example.com", "#1004"}, {"emma@example.com", "#1005"}, {"fei@example.com", "#1006"},
  {"gustav@example.com", "#1007"}, {"hanna@example.com", "#1008"}, {"ivan@example.com", "#1009"},
  {"jonas@example.com", "#1010"}, {"kari@example.com", "#1011"}, {"li@example.com", "#1012"},
}
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  i = i + 1
  local o = orders[(i % #orders) + 1]
  return wrk.format(nil, "/api/v1/shops/demo/lookup", nil,
    string.format('{"email":"%s","order_number":"%s"}', o[1], o[2]))
end

local non200 = 0
response = function(status)
  if status ~= 200 then non200 = non200 + 1 end
end

done = function(summary, latency)
  io.write(string.format("lookups: %d requests, p50 %.2f ms, p99 %.2f ms, errors %d\n",
    summary.requests, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
