-- checkpoint.lua: reads a document's head and one checkpoint in one step, so the head returned
-- with the bytes is the head the bytes belong to (a concurrent put cannot retire it in between).
--
-- KEYS[1]  baton:{<tenant>:<doc>}:head      KEYS[2]  baton:{<tenant>:<doc>}:ckpt:<n>
--
-- Returns {} when the document does not exist, {head} when the checkpoint key does not, else
-- {head, bytes}; head is the HGETALL reply of the head hash.

local head = redis.call('HGETALL', KEYS[1])
if #head == 0 then
    return {}
end
local data = redis.call('GET', KEYS[2])
if not data then
    return {head}
end
return {head, data}
