-- Copyright (C) 2026, The Sluice authors.
--
-- wrk script of bench/load-viewers.sh: every connection is a viewer
-- that sends one request, waits for the answer, waits about
-- LOAD_INTERVAL ms (uniform between half and one and a half of it, so
-- that the viewers do not move in step), and sends the next.  The paths
-- are taken in turn from the file LOAD_LIST (one a line, written by
-- bench/loadurls.pl), read again every second so that the list follows
-- the live edge.  At the end the figures are written as one JSON object
-- to LOAD_OUT: requests, bytes, duration, errors by kind, latency
-- percentiles (microseconds).

local list = os.getenv("LOAD_LIST")
local interval = tonumber(os.getenv("LOAD_INTERVAL") or "1000")
local out = os.getenv("LOAD_OUT")

local paths = {}
local n = 0
local i = 0
local loaded = -1


local function load()
    local f = io.open(list, "r")
    local t = {}

    loaded = os.time()
    if not f then
        return
    end
    for l in f:lines() do
        if #l > 0 then
            t[#t + 1] = l
        end
    end
    f:close()
    if #t > 0 then
        paths = t
        n = #t
    end
end


function init(args)
    math.randomseed(os.time() + math.floor(os.clock() * 1000000))
    load()
    if n == 0 then
        error("no path in " .. tostring(list))
    end
    i = math.random(n)
end


function delay()
    return math.random(math.floor(interval / 2), math.floor(interval * 3 / 2))
end


function request()
    if os.time() ~= loaded then
        load()
    end
    i = i % n + 1
    return wrk.format("GET", paths[i])
end


function done(summary, latency, requests)
    local e = summary.errors
    local f = assert(io.open(out, "w"))

    f:write(string.format('{"requests":%d,"bytes":%d,"duration_us":%d,'
        .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,'
        .. '"timeout":%d},"latency_us":{"p50":%d,"p90":%d,"p99":%d,'
        .. '"p999":%d,"max":%d,"mean":%d}}\n',
        summary.requests, summary.bytes, summary.duration,
        e.connect, e.read, e.write, e.status, e.timeout,
        latency:percentile(50), latency:percentile(90),
        latency:percentile(99), latency:percentile(99.9), latency.max,
        latency.mean))
    f:close()
end
