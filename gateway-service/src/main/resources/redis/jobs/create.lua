-- create: stores a new job, its requests pending, unless a job with its id is there (answers 0).
-- ARGV[1] the number n of requests, ARGV[2] the number m of job fields and values, then the job's
-- m fields and values, then n request JSONs, then n custom ids (JSON). Answers 1.
if redis.call('EXISTS', JOB) == 1 then
  return 0
end
local n = tonumber(ARGV[1])
local m = tonumber(ARGV[2])
redis.call('HSET', JOB, unpack(ARGV, 3, 2 + m))
local first = 3 + m
for i = 0, n - 1 do
  redis.call('HSET', REQUESTS, i, ARGV[first + i])
end
first = first + n
for from = first, first + n - 1, 1000 do
  redis.call('RPUSH', IDS, unpack(ARGV, from, math.min(from + 999, first + n - 1)))
end
expire(load_job(), 1, 3)
return 1
