-- delete: KEYS[6..] the answers of every request. Deletes every key of the job (UNLINK: the
-- memory is freed off Redis's main thread). Answers {1, idempotency key or ''}, or {0, ''} when
-- there was no job.
if redis.call('EXISTS', JOB) == 0 then
  return {0, ''}
end
local idempotency = redis.call('HGET', JOB, 'idem') or ''
in_batches('UNLINK', nil, KEYS)
return {1, idempotency}
