-- fork.lua: creates a document whose only checkpoint is a copy of another document's checkpoint,
-- unless the target already exists. One script, so two forks to the same target cannot both
-- succeed, and a refused fork writes nothing.
--
-- KEYS[1]  baton:{<tenant>:<target>}:head       KEYS[2]  baton:{<tenant>:<target>}:ckpt:<n>
-- ARGV[1]  n      ARGV[2]  tokens     ARGV[3]  model     ARGV[4]  model digest
-- ARGV[5]  bytes  ARGV[6]  ttl (ms)   ARGV[7]  allowed bytes (see put.lua), -1 for no quota
-- ARGV[8]  the stored bytes   ARGV[9]  their digest (hex SHA-256, kept as digest:<n>, see put.lua)
-- ARGV[10] a random id, kept as the head's 'incarnation' (see put.lua)
--
-- Returns {status, segment, tokens, model, digest, bytes, storedBytes, version, oldest, pttl,
--          nowMillis, extra} as put.lua; status is created | exists | quota.

local n = tonumber(ARGV[1])
local ttl = ARGV[6]
local allowed = tonumber(ARGV[7])
local data = ARGV[8]

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

if redis.call('EXISTS', KEYS[1]) == 1 then
    return {'exists', -1, 0, '', '', 0, 0, 0, 0, -2, now, 0}
end
if allowed >= 0 and #data > allowed then
    return {'quota', -1, 0, '', '', 0, 0, 0, 0, -2, now, #data}
end

redis.call('SET', KEYS[2], data, 'PX', ttl)
redis.call('HSET', KEYS[1], 'segment', n, 'tokens', ARGV[2], 'model', ARGV[3], 'digest', ARGV[4],
        'bytes', ARGV[5], 'version', 1, 'oldest', n,
        'size:' .. n, #data, 'tokens:' .. n, ARGV[2], 'bytes:' .. n, ARGV[5], 'digest:' .. n, ARGV[9],
        'incarnation', ARGV[10])
redis.call('PEXPIRE', KEYS[1], ttl)
return {'created', n, tonumber(ARGV[2]), ARGV[3], ARGV[4], tonumber(ARGV[5]), #data, 1, n,
        redis.call('PTTL', KEYS[1]), now, 0}
