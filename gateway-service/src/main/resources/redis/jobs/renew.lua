-- renew: ARGV[1] index, ARGV[2] owner, ARGV[3] now, ARGV[4] lease (ms).
-- Answers 1 when the owner holds the request (its lease now runs until now + lease), else 0.
local job = load_job()
if not job or not holds(ARGV[1], ARGV[2]) then
  return 0
end
redis.call('HSET', WORK, field(ARGV[1], 'lease'), ms(tonumber(ARGV[3]) + tonumber(ARGV[4])))
return 1
