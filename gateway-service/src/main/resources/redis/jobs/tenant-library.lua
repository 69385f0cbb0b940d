-- Shared by the scripts on a tenant's keys: KEYS[1] the tenant's index (sorted set of job ids by
-- createdAt), KEYS[2] (when given) an idempotency key (string: the job id). Same hash tag.

-- Moves the key's deletion to `at` (epoch ms) unless it is deleted later already.
local function extend(key, at)
  local ttl = redis.call('PTTL', key)
  if ttl == -2 then
    return
  end
  if ttl >= 0 then
    local t = redis.call('TIME')
    if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + ttl >= tonumber(at) then
      return
    end
  end
  redis.call('PEXPIREAT', key, at)
end
