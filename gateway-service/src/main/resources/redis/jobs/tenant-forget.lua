-- tenant-forget: the job ARGV[1] was deleted: its index entry goes, and its idempotency key
-- (KEYS[2], when given) if it still names it.
redis.call('ZREM', KEYS[1], ARGV[1])
if KEYS[2] and redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
end
return 1
