-- release: ARGV[1] index, ARGV[2] owner, ARGV[3] '1' with a last error in ARGV[4], '0' without.
-- Answers 1 when the owner held the request (now pending, no lease), else 0.
local job = load_job()
if not job or not holds(ARGV[1], ARGV[2]) then
  return 0
end
redis.call('HDEL', WORK, field(ARGV[1], 'owner'), field(ARGV[1], 'lease'))
if ARGV[3] == '1' then
  redis.call('HSET', WORK, field(ARGV[1], 'error'), ARGV[4])
else
  redis.call('HDEL', WORK, field(ARGV[1], 'error'))
end
return 1
