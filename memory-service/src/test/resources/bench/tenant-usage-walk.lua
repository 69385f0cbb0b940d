-- tenant-usage-walk.lua (the quota check before the usage counter, kept for bench QuotaPutCost): the stored bytes of a tenant's live documents, leaving one document out (the
-- one being written, whose own bytes the put script knows exactly). Entries whose expiry has
-- passed by the server's clock do not count. Read-only; O(documents of the tenant).
--
-- KEYS[1]  baton:{tenant:<tenant>}:docs
-- ARGV[1]  the document id to leave out
--
-- Returns the sum of stored bytes.

local entries = redis.call('HGETALL', KEYS[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local used = 0
for i = 1, #entries, 2 do
    if entries[i] ~= ARGV[1] then
        local stored, expires = string.match(entries[i + 1], '^(%d+):(%d+):')
        if stored and tonumber(expires) > now then
            used = used + tonumber(stored)
        end
    end
end
return used
