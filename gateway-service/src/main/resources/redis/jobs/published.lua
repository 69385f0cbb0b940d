-- published: notes that every request of the job has its first message in the queue.
-- Answers 1, or 0 when there is no job (nothing is written then).
if redis.call('EXISTS', JOB) == 0 then
  return 0
end
redis.call('HSET', JOB, 'published', '1')
return 1
