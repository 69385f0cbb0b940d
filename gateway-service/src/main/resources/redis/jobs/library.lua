-- The job store's shared functions, put in front of every script on a job's keys (RedisJobStore).
-- KEYS[1] the job (hash), KEYS[2] its requests (hash index -> JSON), KEYS[3] its custom ids (list),
-- KEYS[4] its work (hash "<index>:<field>" -> value), KEYS[5] its results (list); a script's own
-- keys (answers of a request: hash segment -> bytes) follow. All share the job's hash tag.
-- Work fields of request i: i:done (1 once it has its result), i:owner, i:lease (epoch ms),
-- i:attempts, i:error, i:orphaned (epoch ms), i:restarted (1 once started over after a lost
-- state). Times are epoch milliseconds.

local JOB, REQUESTS, IDS, WORK, RESULTS = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]

local function ms(n)
  return string.format('%d', n)
end

-- The job's fields the scripts decide on, or nil when there is no job (deleted, or gone by TTL).
local function load_job()
  local f = redis.call('HMGET', JOB, 'status', 'total', 'completed', 'failed', 'cancelled',
    'createdAt', 'completedAt', 'expiresAt', 'retention', 'published')
  if not f[1] then
    return nil
  end
  return {
    status = f[1], total = tonumber(f[2]), completed = tonumber(f[3]), failed = tonumber(f[4]),
    cancelled = tonumber(f[5]), createdAt = tonumber(f[6]), completedAt = f[7] and tonumber(f[7]),
    expiresAt = tonumber(f[8]), retention = tonumber(f[9]), published = f[10] == '1'
  }
end

local function is_finished(status)
  return status == 'completed' or status == 'failed' or status == 'cancelled' or status == 'expired'
end

local function is_stopping(status)
  return status == 'cancelling' or status == 'cancelled' or status == 'expired'
end

-- When the job's keys are deleted: at expiresAt once it is finished; unfinished, one retention
-- later, so that it stays for a gateway to expire it (stop.lua) and goes if none does.
local function keys_expire_at(job)
  if is_finished(job.status) then
    return job.expiresAt
  end
  return job.expiresAt + job.retention
end

-- Sets the job's deletion time on KEYS[first..last] (keys that do not exist are left alone).
local function expire(job, first, last)
  local at = ms(keys_expire_at(job))
  for k = first, last do
    redis.call('PEXPIREAT', KEYS[k], at)
  end
end

local function field(i, name)
  return i .. ':' .. name
end

-- Every request's work at once (one HGETALL instead of a command per request): a table
-- "<index>:<field>" -> value.
local function all_work()
  local flat = redis.call('HGETALL', WORK)
  local work = {}
  for k = 1, #flat, 2 do
    work[flat[k]] = flat[k + 1]
  end
  return work
end

-- Whether request i is the owner's and has no result: the lease may have run out, not been taken.
local function holds(i, owner)
  local w = redis.call('HMGET', WORK, field(i, 'done'), field(i, 'owner'))
  return not w[1] and w[2] == owner
end

-- Stores request i's result: done, lease dropped, answers (key `answers`) dropped, line appended,
-- counted as `kind` (completed, failed or cancelled).
local function finish_request(job, i, kind, line, answers)
  redis.call('HSET', WORK, field(i, 'done'), '1')
  redis.call('HDEL', WORK, field(i, 'owner'), field(i, 'lease'))
  redis.call('DEL', answers)
  redis.call('RPUSH', RESULTS, line)
  job[kind] = job[kind] + 1
  redis.call('HINCRBY', JOB, kind, 1)
end

-- Calls `command` with `first` (a key, or nil) and then values[1..#values], 1000 values at a time
-- (Lua's unpack has a bounded stack).
local function in_batches(command, first, values)
  for from = 1, #values, 1000 do
    local last = math.min(from + 999, #values)
    if first then
      redis.call(command, first, unpack(values, from, last))
    else
      redis.call(command, unpack(values, from, last))
    end
  end
end

-- Finishes the job when every request has its result: cancelled if it was cancelling, expired if
-- it expired, failed if every request failed, else completed; completedAt = now, expiresAt = now +
-- retention. True when it finished now.
local function settle(job, now)
  if job.completedAt or job.completed + job.failed + job.cancelled < job.total then
    return false
  end
  if job.status == 'cancelling' then
    job.status = 'cancelled'
  elseif job.status ~= 'expired' then
    if job.failed == job.total then
      job.status = 'failed'
    else
      job.status = 'completed'
    end
  end
  job.completedAt = now
  job.expiresAt = now + job.retention
  redis.call('HSET', JOB, 'status', job.status, 'completedAt', ms(now), 'expiresAt', ms(job.expiresAt))
  return true
end
