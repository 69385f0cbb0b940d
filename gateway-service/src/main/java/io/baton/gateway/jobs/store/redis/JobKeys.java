package io.baton.gateway.jobs.store.redis;

import io.baton.protocol.Ids;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The Redis keys of one job. They all share the hash tag {@code {<tenant>:<id>}}, so they live in
 * one Cluster slot and one script may touch them all; the tenant's index and idempotency keys share
 * the tag {@code {<tenant>}}. Tenant ids ({@link Ids#TENANT_PATTERN}) and job ids ({@link #isJobId})
 * contain no ':', '{' or '}', so no two jobs share a key.
 *
 * @param job      the job's fields (hash)
 * @param requests the requests as submitted (hash index -> JSON)
 * @param ids      the requests' custom ids (list, in index order, each as JSON)
 * @param work     the requests' work (hash {@code <index>:<field>} -> value)
 * @param results  the result lines (list, in the order the requests finished)
 */
public record JobKeys(String job, String requests, String ids, String work, String results) {

    /** Every unfinished job of every tenant (sorted set {@code <tenant>:<id>} by createdAt). */
    public static final String ACTIVE = "baton:jobs:active";

    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    /** The keys of job {@code id} of {@code tenant}; both must be valid ({@link #valid}). */
    public static JobKeys of(String tenant, String id) {
        if (!valid(tenant, id)) {
            throw new IllegalArgumentException("not a tenant and job id the Redis job store can hold: " + tenant + ", " + id);
        }
        String job = "baton:job:{" + tenant + ":" + id + "}";
        return new JobKeys(job, job + ":requests", job + ":ids", job + ":work", job + ":results");
    }

    /** The hash of the answers recorded for request {@code index} (segment -> bytes). */
    public String answers(int index) {
        return job + ":answers:" + index;
    }

    /** The five keys every script on the job is given first, then {@code more}. */
    String[] with(String... more) {
        String[] keys = new String[5 + more.length];
        keys[0] = job;
        keys[1] = requests;
        keys[2] = ids;
        keys[3] = work;
        keys[4] = results;
        System.arraycopy(more, 0, keys, 5, more.length);
        return keys;
    }

    /** Whether a job id can be a key's: 1-128 of {@code [A-Za-z0-9._-]}. */
    public static boolean isJobId(String id) {
        return id != null && JOB_ID.matcher(id).matches();
    }

    /** Whether the tenant and job ids can name a job here; one that cannot names no job. */
    public static boolean valid(String tenant, String id) {
        return Ids.isTenant(tenant) && isJobId(id);
    }

    /** The tenant's jobs (sorted set id by createdAt; newest first is the reverse order). */
    public static String index(String tenant) {
        return "baton:jobs:{" + tenant + "}";
    }

    /** The job an idempotency key was first used for (string: the job id), by the key's SHA-256. */
    public static String idempotency(String tenant, String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return index(tenant) + ":idem:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** The job's member of {@link #ACTIVE}. */
    public static String activeMember(String tenant, String id) {
        return tenant + ":" + id;
    }
}
