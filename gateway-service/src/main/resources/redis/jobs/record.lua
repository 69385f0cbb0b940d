-- record: KEYS[6] the request's answers. ARGV[1] index, ARGV[2] owner, ARGV[3] now, ARGV[4] lease
-- (ms), ARGV[5] segment, ARGV[6] the answer's bytes. Answers 1 kept, 2 kept but the job was
-- stopped, 0 lost (not the owner's, or no job): nothing is written then.
local job = load_job()
if not job or not holds(ARGV[1], ARGV[2]) then
  return 0
end
redis.call('HSET', WORK, field(ARGV[1], 'lease'), ms(tonumber(ARGV[3]) + tonumber(ARGV[4])))
redis.call('HSET', KEYS[6], ARGV[5], ARGV[6])
expire(job, 6, 6)
if is_stopping(job.status) then
  return 2
end
return 1
