-- index-set.lua: records a document in its tenant's index, unless the index already holds a newer
-- write of it (two acknowledgements of one document may arrive out of order), and keeps the index
-- alive at least as long as the document: the index key expires when the last document written
-- through it has, so an idle tenant leaves nothing behind.
--
-- KEYS[1]  baton:{tenant:<tenant>}:docs   HASH doc -> "<storedBytes>:<expiresAtMillis>:<segment>:<version>"
-- ARGV[1]  document id   ARGV[2]  stored bytes   ARGV[3]  expires at (ms, server clock)
-- ARGV[4]  segment       ARGV[5]  version
--
-- Returns 1 when written, 0 when a newer entry was kept.

local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
    local version = tonumber(string.match(current, ':(%d+)$'))
    if version and version > tonumber(ARGV[5]) then
        return 0
    end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. ARGV[3] .. ':' .. ARGV[4] .. ':' .. ARGV[5])
if redis.call('PTTL', KEYS[1]) == -1 then
    redis.call('PEXPIREAT', KEYS[1], ARGV[3])
else
    redis.call('PEXPIREAT', KEYS[1], ARGV[3], 'GT')
end
return 1
