-- tenant-submit: indexes a created job and, with KEYS[2], takes its idempotency key. ARGV[1] the
-- job id, ARGV[2] createdAt, ARGV[3] when the job's keys go, ARGV[4] the id of a job found gone
-- that the key may still name ('' for none). When the key names another job, changes nothing and
-- answers that job's id; else answers ARGV[1]. Index and key are deleted no earlier than the job.
if KEYS[2] then
  local holder = redis.call('GET', KEYS[2])
  if holder and holder ~= ARGV[1] and holder ~= ARGV[4] then
    return holder
  end
  redis.call('SET', KEYS[2], ARGV[1])
  redis.call('PEXPIREAT', KEYS[2], ARGV[3])
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
extend(KEYS[1], ARGV[3])
return ARGV[1]
