-- index-remove.lua: removes a document from its tenant's index only if the entry is still the one
-- the caller saw, so that a document written again in the meantime stays listed.
--
-- KEYS[1]  baton:{tenant:<tenant>}:docs
-- ARGV[1]  document id   ARGV[2]  the entry the caller saw
--
-- Returns 1 when removed, 0 otherwise.

if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
    return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0
