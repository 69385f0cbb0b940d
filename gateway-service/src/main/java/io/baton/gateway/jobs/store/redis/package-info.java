/**
 * The job store on Redis ({@link io.baton.gateway.jobs.store.redis.RedisJobStore}) over common's
 * {@link io.baton.common.redis.RedisConnection} (standalone, Sentinel, Cluster; AUTH and TLS from
 * the URL): key layout, Lua scripts, and the order of the writes that cannot be one script.
 *
 * <h2>Keys</h2>
 * All keys of a job share the hash tag {@code {<tenant>:<id>}} (one Cluster slot), the tenant's keys
 * the tag {@code {<tenant>}}; tenant and job ids hold no ':', '{' or '}' ({@link
 * io.baton.gateway.jobs.store.redis.JobKeys}). Times are epoch milliseconds.
 * <ul>
 *   <li>{@code baton:job:{<tenant>:<id>}}: HASH, the job: {@code tenant id status total completed
 *       failed cancelled createdAt startedAt completedAt expiresAt retention metadata digest published}
 *       and {@code idem} (the name of its idempotency key, when it has one);
 *   <li>{@code baton:job:{<tenant>:<id>}:requests}: HASH index -> the request as submitted (JSON,
 *       text included);
 *   <li>{@code baton:job:{<tenant>:<id>}:ids}: LIST of the requests' custom ids (JSON), in index
 *       order, for the cancelled lines of {@code stop} without reading the texts;
 *   <li>{@code baton:job:{<tenant>:<id>}:work}: HASH {@code <index>:<field>} -> value, fields
 *       {@code done} (1 once the request has its result), {@code owner}, {@code lease} (until when),
 *       {@code attempts}, {@code error} (the last error it was released with), {@code orphaned}
 *       (when {@code orphans} last answered it); a request without fields is pending, never tried;
 *   <li>{@code baton:job:{<tenant>:<id>}:answers:<index>}: HASH segment -> the answer's bytes,
 *       deleted when the request finishes;
 *   <li>{@code baton:job:{<tenant>:<id>}:results}: LIST of result lines, in the order the requests
 *       finished;
 *   <li>{@code baton:jobs:{<tenant>}}: ZSET job id by createdAt, the tenant's index ({@code list}:
 *       newest first by ZREVRANGEBYSCORE, ties by id, the cursor a job id);
 *   <li>{@code baton:jobs:{<tenant>}:idem:<sha256 of the key>}: STRING, the id of the job an
 *       idempotency key created;
 *   <li>{@code baton:jobs:active}: ZSET {@code <tenant>:<id>} by createdAt, every unfinished job of
 *       every tenant ({@code active}).
 * </ul>
 *
 * <h2>Expiry</h2>
 * Every key of a job expires (PEXPIREAT) at the job's {@code expiresAt} once it is finished, and
 * one retention after {@code expiresAt} while it is not: an unfinished job stays for a gateway to
 * stop it as expired, which moves {@code expiresAt} to one retention from then, and is deleted if
 * none does. A script that creates a key of the job (work, results, answers) gives it the job's
 * deletion time; finishing or expiring the job moves it on all of them. The tenant index and the
 * idempotency key are kept at least as long as the job (their deletion time only moves later).
 * Entries of the index and the active set whose job is gone are skipped by their readers and
 * removed by them: {@code list} and {@code active}.
 *
 * <h2>Scripts</h2>
 * Resources {@code redis/jobs/}; the scripts on a job's keys run behind {@code library.lua} (its
 * five keys, the job's fields, when its keys go, finishing a request, finishing the job), those on
 * a tenant's keys behind {@code tenant-library.lua}. Each change is one script, atomic:
 * <ul>
 *   <li>{@code create.lua}: the job, its requests and custom ids, unless the id exists;
 *   <li>{@code published.lua}; {@code claim.lua} (pending or lease ran out: claimed, attempts + 1,
 *       the job in progress; held; finished; stopped; gone); {@code renew.lua}; {@code record.lua}
 *       (the answer and the lease, only for the owner); {@code release.lua} (pending again, last
 *       error); {@code finish.lua} (the one result, counts, and the job finished with its last);
 *   <li>{@code stop.lua}: cancelling or expired, every request still pending finished with its
 *       cancelled line (made by the caller from the custom ids it read), the job finished when
 *       nothing runs;
 *   <li>{@code delete.lua}: every key of the job (UNLINK); {@code orphans.lua}: one pass over the
 *       requests, marking each one answered;
 *   <li>{@code tenant-submit.lua}: the index entry and the idempotency key, unless the key names
 *       another job; {@code tenant-extend.lua}: index and key kept as long as a job whose keys' time
 *       moved; {@code tenant-forget.lua}: a deleted job's entry and its key (if it still names it).
 * </ul>
 * Cost: claim, renew, record, release and finish touch a few fields. Create, stop, orphans and
 * delete are O(requests): for 10,000 requests their scripts ran 75-90 ms (create), 45-75 ms
 * (stop), 10-75 ms (orphans) and 10 ms (delete) on a loaded two-core build machine (Redis 7.0,
 * SLOWLOG), during which Redis serves nothing else.
 *
 * <h2>Writes to several slots, and crashes between them</h2>
 * The job's keys, the tenant's keys and the active set are in different slots, so their writes
 * are separate commands, in this order, each after the one before succeeded:
 * <ul>
 *   <li><b>create</b>: the job's keys, then the active set, then the tenant's index entry and
 *       idempotency key. A crash after the job's keys leaves keys nobody names, deleted with their
 *       TTL. A crash after the active set leaves a job no one lists and no key names: if it was
 *       never published, the sweeper finds it active and republishes its requests (as for any job
 *       whose gateway died before publishing), it runs unseen and is deleted with its TTL; a retry
 *       with the same idempotency key creates another job. Index and key come last so that a job
 *       that can be listed, or answered for its key, is always one the sweeper sees. Two creates
 *       racing with one key both write their job; tenant-submit.lua lets one take the key, and the
 *       other deletes its job and answers the winner.
 *   <li><b>finish / stop</b>: the job's script, then (finished) out of the active set, then the
 *       tenant's index and key kept as long as the job. A crash in between leaves a finished job in
 *       the active set ({@code active} skips and removes it) or, only for a job finishing more than
 *       one retention after it was created (expired, then its last running request finished), an
 *       index entry or idempotency key that may go before the job: the job is still found by id.
 *   <li><b>delete</b>: the job's keys, then the active set, then the index entry and the key. A
 *       crash in between leaves entries naming a job that is gone: {@code list} and {@code active}
 *       skip and remove them, and {@code create} takes over an idempotency key whose job is gone.
 * </ul>
 *
 * <h2>Redis</h2>
 * Redis 5 or later (scripts read TIME before they write; the tests' PEXPIRETIME needs 7.0). An ACL user needs the key pattern
 * {@code baton:*} and: {@code +evalsha +eval +hgetall +hget +hmget +hset +hdel +hexists +hincrby
 * +exists +del +unlink +get +set +rpush +lrange +pexpireat +pttl +time +zadd +zrem +zrange
 * +zrevrangebyscore +zscore +ping +hello +auth}.
 */
package io.baton.gateway.jobs.store.redis;
