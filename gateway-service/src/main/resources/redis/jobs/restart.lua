-- restart: KEYS[6] the request's answers. ARGV[1] index, ARGV[2] owner. Drops the answers so that the
-- request runs again from its first segment, once (i:restarted). Answers 1 when dropped, 0 when the
-- owner does not hold the request (or there is no job) or it was started over before.
local job = load_job()
if not job or not holds(ARGV[1], ARGV[2]) then
  return 0
end
if redis.call('HEXISTS', WORK, field(ARGV[1], 'restarted')) == 1 then
  return 0
end
redis.call('HSET', WORK, field(ARGV[1], 'restarted'), '1')
redis.call('DEL', KEYS[6])
return 1
