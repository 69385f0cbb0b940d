-- delete.lua: deletes a document, head and kept checkpoints, if its head is still the version the
-- caller read (which told it which checkpoint keys to pass). One script, so a put cannot slip in
-- between and leave a checkpoint without a head.
--
-- KEYS[1]        baton:{<tenant>:<doc>}:head
-- KEYS[2 ..]     the kept checkpoints ckpt:<oldest> .. ckpt:<segment> of that version
-- ARGV[1]        the head's version as read by the caller
--
-- Returns 1 when deleted, 0 when the document does not exist, -1 when the head has changed (the
-- caller reads it again and retries).

local version = redis.call('HGET', KEYS[1], 'version')
if not version then
    return 0
end
if version ~= ARGV[1] then
    return -1
end
redis.call('DEL', unpack(KEYS))
return 1
