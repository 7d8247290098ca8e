-- wrk script: replays the requests of a file, one per line "METHOD<TAB>PATH<TAB>BODY" (BODY may be empty).
-- Each of the N threads takes every Nth line from its own offset, so one-shot requests (a booking, a signature)
-- are sent once. Environment: WRK_REQUESTS (the file), WRK_TOKEN (bearer token), WRK_THREADS (wrk's -t).
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  lines = {}
  for line in io.lines(os.getenv("WRK_REQUESTS")) do
    lines[#lines + 1] = line
  end
  if #lines == 0 then
    error("no request in " .. os.getenv("WRK_REQUESTS"))
  end
  token = os.getenv("WRK_TOKEN")
  step = tonumber(os.getenv("WRK_THREADS") or "1")
  counter = id
end

function request()
  local line = lines[(counter % #lines) + 1]
  counter = counter + step
  local method, path, body = line:match("^([^\t]*)\t([^\t]*)\t?(.*)$")
  local headers = { ["Authorization"] = "Bearer " .. token, ["Accept"] = "application/json" }
  if body == nil or body == "" then
    body = nil
  else
    headers["Content-Type"] = "application/json"
  end
  return wrk.format(method, path, headers, body)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"seconds":%.2f,"perSecond":%.1f,"p50ms":%.2f,"p90ms":%.2f,"p99ms":%.2f,"maxms":%.2f,"errors":%d}\n',
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, e.status + e.connect + e.read + e.write + e.timeout))
end
