-- claim: ARGV[1] index, ARGV[2] owner, ARGV[3] now, ARGV[4] lease (ms).
-- Answers {kind, attempt, heldUntil}: kind claimed, finished, held, stopped or gone.
local job = load_job()
local i = tonumber(ARGV[1])
local owner = ARGV[2]
local now = tonumber(ARGV[3])
if not job or i < 0 or i >= job.total then
  return {'gone', 0, 0}
end
local w = redis.call('HMGET', WORK, field(i, 'done'), field(i, 'owner'), field(i, 'lease'), field(i, 'attempts'))
if w[1] then
  return {'finished', 0, 0}
end
if w[2] and w[2] ~= owner and tonumber(w[3]) > now then
  return {'held', 0, tonumber(w[3])}
end
if is_stopping(job.status) then
  return {'stopped', 0, 0}
end
local attempts = (tonumber(w[4]) or 0) + 1
redis.call('HSET', WORK, field(i, 'owner'), owner, field(i, 'lease'), ms(now + tonumber(ARGV[4])),
  field(i, 'attempts'), attempts)
expire(job, 4, 4)
if job.status == 'queued' then
  redis.call('HSET', JOB, 'status', 'in_progress', 'startedAt', ARGV[3])
end
return {'claimed', attempts, 0}
