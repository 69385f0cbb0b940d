-- list.lua: one HSCAN step over a tenant's index, with the server's time so that the caller
-- judges expiry by the same clock as the keys' TTLs.
--
-- KEYS[1]  baton:{tenant:<tenant>}:docs
-- ARGV[1]  the HSCAN cursor ("0" to start)   ARGV[2]  COUNT hint
--
-- Returns {nextCursor, nowMillis, {doc1, entry1, doc2, entry2, ...}}.

local scanned = redis.call('HSCAN', KEYS[1], ARGV[1], 'COUNT', ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return {scanned[1], now, scanned[2]}
