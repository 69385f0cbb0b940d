-- stop: KEYS[5 + k] the answers of candidate k, a request without its result when the caller
-- looked. ARGV[1] now, ARGV[2] cancel or expire, then per candidate its index and its cancelled
-- result line. A job finished or cancelling is left as it is. Otherwise it becomes cancelling (or
-- expired, expiresAt = now + retention), every candidate still pending gets its cancelled result,
-- and the job finishes if nothing runs. Answers {-1} for no job, else {stopped, finished,
-- keysExpireAt, the job's fields and values}.
local job = load_job()
if not job then
  return {-1}
end
if is_finished(job.status) or job.status == 'cancelling' then
  return {0, 0, keys_expire_at(job), redis.call('HGETALL', JOB)}
end
local now = tonumber(ARGV[1])
if ARGV[2] == 'expire' then
  job.status = 'expired'
  job.expiresAt = now + job.retention
  redis.call('HSET', JOB, 'status', 'expired', 'expiresAt', ms(job.expiresAt))
else
  job.status = 'cancelling'
  redis.call('HSET', JOB, 'status', 'cancelling')
end
-- the pending candidates finish as finish_request would, in batches: they hold no lease to drop
local work = all_work()
local done, answers, lines = {}, {}, {}
for k = 1, #KEYS - 5 do
  local i = ARGV[1 + 2 * k]
  if not work[field(i, 'done')] and not work[field(i, 'owner')] then
    done[#done + 1] = field(i, 'done')
    done[#done + 1] = '1'
    answers[#answers + 1] = KEYS[5 + k]
    lines[#lines + 1] = ARGV[2 + 2 * k]
  end
end
if #lines > 0 then
  in_batches('HSET', WORK, done)
  in_batches('DEL', nil, answers)
  in_batches('RPUSH', RESULTS, lines)
  job.cancelled = job.cancelled + #lines
  redis.call('HINCRBY', JOB, 'cancelled', #lines)
end
local finished = settle(job, now)
expire(job, 1, #KEYS)
return {1, finished and 1 or 0, keys_expire_at(job), redis.call('HGETALL', JOB)}
