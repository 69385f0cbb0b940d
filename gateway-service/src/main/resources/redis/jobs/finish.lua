-- finish: KEYS[6] the request's answers. ARGV[1] index, ARGV[2] now, ARGV[3] kind (completed,
-- failed, cancelled), ARGV[4] the result line.
-- Answers {stored, finished, keysExpireAt, idempotency key or ''}: stored 1 when this call stored
-- the result (0: it had one, or no such request), finished 1 when it was the job's last, and when
-- the job's keys go.
local job = load_job()
local i = tonumber(ARGV[1])
if not job or i < 0 or i >= job.total or redis.call('HEXISTS', WORK, field(i, 'done')) == 1 then
  return {0, 0, 0, ''}
end
local now = tonumber(ARGV[2])
finish_request(job, i, ARGV[3], ARGV[4], KEYS[6])
local finished = settle(job, now)
expire(job, 1, 5)
return {1, finished and 1 or 0, keys_expire_at(job), redis.call('HGET', JOB, 'idem') or ''}
