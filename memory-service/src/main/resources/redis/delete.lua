-- delete.lua: deletes a document, head and kept checkpoints, if its head is still the version the
-- caller read (which told it which checkpoint keys to pass), and, when the caller names a digest,
-- only if the head checkpoint (the newest) has that digest. One script, so a put cannot slip in
-- between and leave a checkpoint without a head, nor move the head between the check and the delete.
--
-- KEYS[1]        baton:{<tenant>:<doc>}:head
-- KEYS[2 ..]     the kept checkpoints ckpt:<oldest> .. ckpt:<segment> of that version
-- ARGV[1]        the head's version as read by the caller
-- ARGV[2]        the digest the head checkpoint must have (hex SHA-256 of its stored bytes), or ''
--
-- Returns 1 when deleted, 0 when the document does not exist, -1 when the head has changed (the
-- caller reads it again and retries), -2 when the head checkpoint's digest is not ARGV[2]
-- (nothing deleted; a checkpoint written before digests were kept has none and never matches).

local version = redis.call('HGET', KEYS[1], 'version')
if not version then
    return 0
end
if version ~= ARGV[1] then
    return -1
end
local expected = ARGV[2] or ''
if expected ~= '' then
    local segment = redis.call('HGET', KEYS[1], 'segment')
    if redis.call('HGET', KEYS[1], 'digest:' .. segment) ~= expected then
        return -2
    end
end
redis.call('DEL', unpack(KEYS))
return 1
