-- tenant-extend: the job ARGV[1]'s keys now go at ARGV[2]: its index entry and its idempotency key
-- (KEYS[2], when given and still naming it) are kept at least as long.
extend(KEYS[1], ARGV[2])
if KEYS[2] and redis.call('GET', KEYS[2]) == ARGV[1] then
  extend(KEYS[2], ARGV[2])
end
return 1
