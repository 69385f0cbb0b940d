-- index-remove.lua: removes a document from its tenant's index, and its bytes from the tenant's
-- usage counter (see tenant-usage.lua), in one step. With an expected entry, only if the entry
-- is still the one the caller saw, so that a document written again in the meantime stays
-- listed; without one (a delete), whatever the entry is. When the index is left empty, the
-- counter goes with it.
--
-- KEYS[1]  baton:{tenant:<tenant>}:docs   KEYS[2]  baton:{tenant:<tenant>}:usage
-- KEYS[3]  baton:{tenant:<tenant>}:expiries
-- ARGV[1]  document id   ARGV[2]  the entry the caller saw, or '' to remove any
--
-- Returns 1 when removed, 0 otherwise.

if ARGV[2] ~= '' and redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
    return 0
end
local removed = redis.call('HDEL', KEYS[1], ARGV[1])
local counted = redis.call('HGET', KEYS[2], ARGV[1])
if counted then
    redis.call('HDEL', KEYS[2], ARGV[1])
    redis.call('HINCRBY', KEYS[2], ':total', -tonumber(counted))
    redis.call('ZREM', KEYS[3], ARGV[1])
end
if redis.call('EXISTS', KEYS[1]) == 0 then
    redis.call('DEL', KEYS[2], KEYS[3])
end
return removed
