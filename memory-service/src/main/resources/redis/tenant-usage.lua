-- tenant-usage.lua: the stored bytes of a tenant's live documents, leaving one document out (the
-- one being written, whose own bytes the put script knows exactly), read from the tenant's usage
-- counter: O(1), plus O(log n) for each document whose expiry passed since the last check.
--
-- The counter is kept by index-set.lua and index-remove.lua in the same step as the index entry
-- they write or remove, so it always equals the sum of the counted entries. Documents expire by
-- their keys' TTL without any script running; so that the counter does not keep counting them,
-- the expiries ZSET orders counted documents by expiry, and this script first stops counting the
-- ones whose expiry has passed by the server's clock (as the index walk it replaces did: an
-- entry past its expiry does not count).
--
-- KEYS[1]  baton:{tenant:<tenant>}:docs   KEYS[2]  baton:{tenant:<tenant>}:usage
-- KEYS[3]  baton:{tenant:<tenant>}:expiries
-- ARGV[1]  the document id to leave out
--
-- Returns the sum of stored bytes, or -1 when the tenant has an index but no counter (written
-- before the counter was kept, or the counter was deleted to force a recount): the caller runs
-- tenant-recount.lua and asks again.

if redis.call('EXISTS', KEYS[2]) == 0 then
    if redis.call('EXISTS', KEYS[1]) == 1 then
        return -1
    end
    return 0
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for _, doc in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)) do
    local counted = tonumber(redis.call('HGET', KEYS[2], doc)) or 0
    redis.call('HDEL', KEYS[2], doc)
    redis.call('HINCRBY', KEYS[2], ':total', -counted)
    redis.call('ZREM', KEYS[3], doc)
end
local total = tonumber(redis.call('HGET', KEYS[2], ':total')) or 0
local own = tonumber(redis.call('HGET', KEYS[2], ARGV[1])) or 0
return total - own
