-- orphans: ARGV[1] now, ARGV[2] idle (ms). The requests of an unfinished job that no message may
-- carry any more: pending ones of a job not published idle after it was created, running ones
-- whose lease ran out more than idle ago; each one answered is marked and not answered again
-- within idle. One pass over every request of the job, its work read at once.
local job = load_job()
if not job or job.completedAt then
  return {}
end
local now = tonumber(ARGV[1])
local idle = tonumber(ARGV[2])
local unpublished = not job.published and job.createdAt + idle < now
local work = all_work()
local found = {}
for i = 0, job.total - 1 do
  local orphaned = work[field(i, 'orphaned')]
  if not work[field(i, 'done')] and not (orphaned and tonumber(orphaned) + idle > now) then
    local owner = work[field(i, 'owner')]
    local abandoned = owner and tonumber(work[field(i, 'lease')]) + idle < now
    if (unpublished and not owner) or abandoned then
      redis.call('HSET', WORK, field(i, 'orphaned'), ARGV[1])
      found[#found + 1] = i
    end
  end
end
if #found > 0 then
  expire(job, 4, 4)
end
return found
