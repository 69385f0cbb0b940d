-- tenant-recount.lua: rebuilds a tenant's usage counter (see tenant-usage.lua) from its index:
-- every entry whose expiry has not passed by the server's clock is counted with its stored bytes
-- and its expiry. O(documents of the tenant), run once for a tenant written before the counter
-- was kept, or whenever the counter is deleted (which is how an operator forces a recount).
--
-- KEYS[1]  baton:{tenant:<tenant>}:docs   KEYS[2]  baton:{tenant:<tenant>}:usage
-- KEYS[3]  baton:{tenant:<tenant>}:expiries
--
-- Returns the counted total.

redis.call('DEL', KEYS[2], KEYS[3])
local entries = redis.call('HGETALL', KEYS[1])
if #entries == 0 then
    return 0
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local total = 0
for i = 1, #entries, 2 do
    local stored, expires = string.match(entries[i + 1], '^(%d+):(%d+):')
    if stored and tonumber(expires) > now then
        redis.call('HSET', KEYS[2], entries[i], stored)
        redis.call('ZADD', KEYS[3], expires, entries[i])
        total = total + tonumber(stored)
    end
end
redis.call('HSET', KEYS[2], ':total', total)
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then
    redis.call('PEXPIRE', KEYS[2], ttl)
    if redis.call('EXISTS', KEYS[3]) == 1 then
        redis.call('PEXPIRE', KEYS[3], ttl)
    end
end
return total
