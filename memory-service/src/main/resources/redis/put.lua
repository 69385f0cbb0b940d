-- put.lua: compare-and-set write of checkpoint n of one document. One script, so Redis runs it
-- as one step: no other command sees the document between the check and the writes, and a
-- refused put writes nothing at all (it only deletes its own staging key).
--
-- The bytes do not pass through the script: the client has already written them to a staging key
-- of the same document (same hash slot, short PX TTL), and the script RENAMEs that key into place
-- when it accepts the write, or DELs it otherwise. Repeats are recognised by a digest of the bytes
-- that the client computed (SHA-256, kept per checkpoint as the head field digest:<n>).
--
-- KEYS[1]            baton:{<tenant>:<doc>}:head      HASH, the head (see docs/state-store.md)
-- KEYS[2]            baton:{<tenant>:<doc>}:ckpt:<n>  STRING, the checkpoint being written
-- KEYS[3]            baton:{<tenant>:<doc>}:staging:<random>  STRING, the bytes as the client staged them
-- KEYS[4 .. 3+r]     ckpt:<n-1> .. ckpt:<max(0, n-K+1)>: kept checkpoints whose TTL is refreshed
-- KEYS[4+r]          ckpt:<n-K>, retired by this write (present only when n-K >= 0)
-- ARGV[1]  n             ARGV[2]  tokens        ARGV[3]  model      ARGV[4]  model digest
-- ARGV[5]  bytes (container size as sent)       ARGV[6]  ttl (ms)   ARGV[7]  keep (K)
-- ARGV[8]  allowed: most stored bytes this document may hold after the write (tenant quota minus
--          the tenant's other documents), or -1 for no quota
-- ARGV[9]  r             ARGV[10] the digest of the stored bytes (hex SHA-256)
-- ARGV[11] a random id, kept as the head's 'incarnation' when this put creates the document (so
--          a reader can tell a document deleted and created again from one left alone)
-- ARGV[12] the parent digest: when not empty, a write of n (n > 0) is accepted only if the kept
--          checkpoint n-1 has this digest (the writer computed n from a state it kept itself)
--
-- Returns {status, segment, tokens, model, digest, bytes, storedBytes, version, oldest, pttl,
--          nowMillis, extra}; status is created | idempotent | conflict | model_mismatch |
-- parent_mismatch | quota | staged_missing (the staging key is not there: its SET failed or it expired; nothing written).
-- The head fields describe the document after the call (segment -1: no document). extra is the
-- document's stored bytes had the write been accepted (quota only).

local n = tonumber(ARGV[1])
local ttl = ARGV[6]
local keep = tonumber(ARGV[7])
local allowed = tonumber(ARGV[8])
local r = tonumber(ARGV[9])
local digest = ARGV[10]
local staging = KEYS[3]
local parent = ARGV[12] or ''

local function read_head()
    local flat = redis.call('HGETALL', KEYS[1])
    if #flat == 0 then
        return nil
    end
    local h = {}
    for i = 1, #flat, 2 do
        h[flat[i]] = flat[i + 1]
    end
    return h
end

local function stored_bytes(h)
    local total = 0
    for m = tonumber(h.oldest), tonumber(h.segment) do
        total = total + (tonumber(h['size:' .. m]) or 0)
    end
    return total
end

local function now_millis()
    local t = redis.call('TIME')
    return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function reply(status, h, extra)
    if h == nil then
        return {status, -1, 0, '', '', 0, 0, 0, 0, -2, now_millis(), extra or 0}
    end
    return {status, tonumber(h.segment), tonumber(h.tokens), h.model, h.digest, tonumber(h.bytes),
            stored_bytes(h), tonumber(h.version), tonumber(h.oldest), redis.call('PTTL', KEYS[1]),
            now_millis(), extra or 0}
end

local h = read_head()
local before, oldest, version = 0, 0, 0
if h == nil then
    if n ~= 0 then
        redis.call('DEL', staging)
        return reply('conflict', nil)
    end
else
    if h.model ~= ARGV[3] or h.digest ~= ARGV[4] then
        redis.call('DEL', staging)
        return reply('model_mismatch', h)
    end
    local segment = tonumber(h.segment)
    if n ~= segment + 1 then
        local same = false
        if n >= tonumber(h.oldest) and n <= segment and redis.call('EXISTS', KEYS[2]) == 1 then
            local kept = h['digest:' .. n]
            if kept then
                same = kept == digest
            else
                -- written before digests were kept: compare the bytes (this path only)
                same = redis.call('GET', KEYS[2]) == redis.call('GET', staging)
            end
        end
        redis.call('DEL', staging)
        if same then
            return reply('idempotent', h)
        end
        return reply('conflict', h)
    end
    if parent ~= '' and h['digest:' .. (n - 1)] ~= parent then
        redis.call('DEL', staging)
        return reply('parent_mismatch', h)
    end
    before = stored_bytes(h)
    oldest = tonumber(h.oldest)
    version = tonumber(h.version)
end

-- Checkpoints below new_oldest leave the document with this write.
local new_oldest = math.max(oldest, n - keep + 1)
if redis.call('EXISTS', staging) == 0 then
    return reply('staged_missing', h)
end
local size = redis.call('STRLEN', staging)
local after = size
for m = new_oldest, n - 1 do
    after = after + (h and tonumber(h['size:' .. m]) or 0)
end
if allowed >= 0 and after > before and after > allowed then
    redis.call('DEL', staging)
    return reply('quota', h, after)
end

redis.call('RENAME', staging, KEYS[2])
redis.call('PEXPIRE', KEYS[2], ttl)
for m = oldest, new_oldest - 1 do
    redis.call('HDEL', KEYS[1], 'size:' .. m, 'tokens:' .. m, 'bytes:' .. m, 'digest:' .. m)
end
if #KEYS == 4 + r then
    redis.call('DEL', KEYS[4 + r])
end
redis.call('HSET', KEYS[1], 'segment', n, 'tokens', ARGV[2], 'model', ARGV[3], 'digest', ARGV[4],
        'bytes', ARGV[5], 'version', version + 1, 'oldest', new_oldest,
        'size:' .. n, size, 'tokens:' .. n, ARGV[2], 'bytes:' .. n, ARGV[5], 'digest:' .. n, digest)
if h == nil then
    redis.call('HSET', KEYS[1], 'incarnation', ARGV[11])
end
redis.call('PEXPIRE', KEYS[1], ttl)
for i = 4, 3 + r do
    redis.call('PEXPIRE', KEYS[i], ttl)
end
return reply('created', read_head())
