-- index-set.lua: records a document in its tenant's index, unless the index already holds a newer
-- write of it (two acknowledgements of one document may arrive out of order), and keeps the index
-- alive at least as long as the document: the index key expires when the last document written
-- through it has, so an idle tenant leaves nothing behind.
--
-- In the same step it keeps the tenant's usage counter (see tenant-usage.lua): the document's
-- counted bytes become its new stored bytes, counted until its new expiry. A tenant whose index
-- exists without a usage hash (written before the counter was kept) is left uncounted here; the
-- next quota check recounts it from the index (tenant-recount.lua).
--
-- KEYS[1]  baton:{tenant:<tenant>}:docs       HASH doc -> "<storedBytes>:<expiresAtMillis>:<segment>:<version>"
-- KEYS[2]  baton:{tenant:<tenant>}:usage      HASH doc -> counted stored bytes, ':total' -> their sum
-- KEYS[3]  baton:{tenant:<tenant>}:expiries   ZSET doc -> expiresAtMillis of each counted document
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
local counting = true
if redis.call('EXISTS', KEYS[1]) == 0 then
    redis.call('DEL', KEYS[2], KEYS[3])   -- a new index starts a new count
else
    counting = redis.call('EXISTS', KEYS[2]) == 1
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. ARGV[3] .. ':' .. ARGV[4] .. ':' .. ARGV[5])
if counting then
    local counted = tonumber(redis.call('HGET', KEYS[2], ARGV[1])) or 0
    redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
    redis.call('HINCRBY', KEYS[2], ':total', tonumber(ARGV[2]) - counted)
    redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
end
for i = 1, #KEYS do
    if redis.call('EXISTS', KEYS[i]) == 1 then
        if redis.call('PTTL', KEYS[i]) == -1 then
            redis.call('PEXPIREAT', KEYS[i], ARGV[3])
        else
            redis.call('PEXPIREAT', KEYS[i], ARGV[3], 'GT')
        end
    end
end
return 1
