package io.baton.gateway.jobs;

import io.baton.gateway.GatewayProperties;
import io.baton.gateway.jobs.queue.JobQueue;
import io.baton.gateway.jobs.queue.WorkMessage;
import io.baton.gateway.jobs.store.JobPage;
import io.baton.gateway.jobs.store.JobRecord;
import io.baton.gateway.jobs.store.JobRequest;
import io.baton.gateway.jobs.store.JobStore;
import io.baton.gateway.jobs.store.NewJob;
import io.baton.gateway.jobs.store.RequestRef;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Batch jobs as the API sees them: submission (parsing an NDJSON or JSON body, idempotency,
 * storing, publishing one message per request), reading, listing, cancelling and deleting. The
 * requests run in {@link JobWorker}s, wherever the queue delivers them.
 *
 * <p>A submission is checked for form only: every line a JSON object with a {@code customId}
 * (unique in the job, 1-128 characters) and a {@code text} string, numbers where numbers belong.
 * What only running can tell (an empty text, an unknown model or mode, both {@code sentences} and
 * {@code words}) becomes that request's error result. A job stored but not wholly published (the
 * queue was down) is answered 202 all the same: the sweeper publishes it ({@link JobSweeper}).
 */
public final class JobService {

    private static final Logger log = LoggerFactory.getLogger(JobService.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_CUSTOM_ID = 128;
    private static final int MAX_METADATA = 16 * 1024;
    private static final int PUBLISH_CONCURRENCY = 32;

    private final JobStore store;
    private final JobQueue queue;
    private final GatewayProperties.Jobs settings;
    private final Clock clock;

    public JobService(JobStore store, JobQueue queue, GatewayProperties.Jobs settings, Clock clock) {
        this.store = store;
        this.queue = queue;
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * A submitted job.
     *
     * @param job     the job
     * @param created whether this submission created it (false: an earlier one with the same key)
     */
    public record Submission(JobView job, boolean created) {
    }

    /** Parses and submits an NDJSON body: one request per non-blank line. */
    public Mono<Submission> submitLines(String tenant, String body, String idempotencyKey, String requestId,
                                        String traceparent) {
        return Mono.defer(() -> {
            List<JobRequest> requests = new ArrayList<>();
            Set<String> ids = new HashSet<>();
            String[] lines = body.split("\r?\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (!lines[i].isBlank()) {
                    requests.add(request(parse(lines[i], i + 1), i + 1, ids));
                }
            }
            return submit(tenant, requests, "{}", idempotencyKey, requestId, traceparent);
        });
    }

    /** Parses and submits a JSON body {@code {"requests": [...], "metadata": {...}}}. */
    public Mono<Submission> submitJson(String tenant, String body, String idempotencyKey, String requestId,
                                       String traceparent) {
        return Mono.defer(() -> {
            JsonNode root = parse(body, 0);
            JsonNode array = root.get("requests");
            if (array == null || !array.isArray()) {
                throw new InvalidJobRequestException(0, "the body needs a \"requests\" array");
            }
            JsonNode metadata = root.get("metadata");
            if (metadata != null && !metadata.isNull() && !metadata.isObject()) {
                throw new InvalidJobRequestException(0, "\"metadata\" must be a JSON object");
            }
            String metadataJson = metadata == null || metadata.isNull() ? "{}" : JSON.writeValueAsString(metadata);
            if (metadataJson.length() > MAX_METADATA) {
                throw new InvalidJobRequestException(0, "\"metadata\" is over " + MAX_METADATA + " characters");
            }
            List<JobRequest> requests = new ArrayList<>();
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < array.size(); i++) {
                requests.add(request(array.get(i), i + 1, ids));
            }
            return submit(tenant, requests, metadataJson, idempotencyKey, requestId, traceparent);
        });
    }

    private Mono<Submission> submit(String tenant, List<JobRequest> requests, String metadata, String idempotencyKey,
                                    String requestId, String traceparent) {
        if (requests.isEmpty()) {
            throw new InvalidJobRequestException(0, "the job has no requests");
        }
        if (requests.size() > settings.maxRequests()) {
            throw new InvalidJobRequestException(0, "the job has " + requests.size() + " requests, more than "
                    + settings.maxRequests() + " (baton.jobs.max-requests)");
        }
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 256)) {
            throw new InvalidJobRequestException(0, "an Idempotency-Key is 1-256 characters");
        }
        String digest = digest(requests, metadata);
        String id = UUID.randomUUID().toString();
        NewJob job = new NewJob(tenant, id, clock.instant(), settings.retention(), metadata, idempotencyKey, digest,
                requests);
        return store.create(job).flatMap(submitted -> {
            JobRecord stored = submitted.job();
            if (!submitted.created()) {
                if (!stored.bodyDigest().equals(digest)) {
                    return Mono.error(new IdempotencyKeyReusedException("the Idempotency-Key was used for job "
                            + stored.id() + ", whose requests or metadata differ from these"));
                }
                return Mono.just(new Submission(JobView.of(stored), false));
            }
            return publish(stored, requests.size(), requestId, traceparent)
                    .thenReturn(new Submission(JobView.of(stored), true));
        });
    }

    /**
     * Publishes one message per request, then notes the job published. A failure is logged, not
     * answered: the job is stored, and the sweeper publishes a job it finds unpublished.
     */
    private Mono<Void> publish(JobRecord job, int requests, String requestId, String traceparent) {
        return Flux.range(0, requests)
                .flatMap(index -> queue.publish(new WorkMessage(new RequestRef(job.tenant(), job.id(), index),
                        requestId, traceparent)), PUBLISH_CONCURRENCY)
                .then(store.published(job.tenant(), job.id()))
                .onErrorResume(e -> {
                    log.warn("job {} of tenant {} is stored but not yet published ({}); the sweeper will publish it",
                            job.id(), job.tenant(), e.getMessage());
                    return Mono.empty();
                });
    }

    /** A job of the tenant, or 404. */
    public Mono<JobView> find(String tenant, String id) {
        return record(tenant, id).map(JobView::of);
    }

    Mono<JobRecord> record(String tenant, String id) {
        return store.find(tenant, id).switchIfEmpty(Mono.error(() -> notFound(id)));
    }

    /** The result lines stored so far, each ending with a line break; 404 for no such job. */
    public Flux<String> results(String tenant, String id) {
        return record(tenant, id).thenMany(store.results(tenant, id)).map(line -> line + "\n");
    }

    /** A page of the tenant's jobs. */
    public Mono<JobPage> list(String tenant, String after, int limit) {
        return store.list(tenant, after, limit);
    }

    /** Cancels a job: {@code cancelling} (or {@code cancelled} when nothing runs); 404 for no such job. */
    public Mono<JobView> cancel(String tenant, String id) {
        return store.stop(tenant, id, JobStore.Stop.CANCEL, clock.instant(),
                        (customId, stop) -> ResultLines.cancelled(customId, stop, JobService.instance(id)))
                .switchIfEmpty(Mono.error(() -> notFound(id)))
                .map(JobView::of);
    }

    /** Deletes a job and its results; 404 for no such job. Running requests stop at their next segment. */
    public Mono<Void> delete(String tenant, String id) {
        return store.delete(tenant, id).flatMap(deleted -> deleted ? Mono.empty() : Mono.error(notFound(id)));
    }

    static URI instance(String id) {
        return URI.create("/v1/jobs/" + id);
    }

    private static JobNotFoundException notFound(String id) {
        return new JobNotFoundException("no job " + id);
    }

    private static JsonNode parse(String text, int line) {
        try {
            return JSON.readTree(text);
        } catch (JacksonException e) {
            throw new InvalidJobRequestException(line, "not JSON: " + e.getOriginalMessage());
        }
    }

    private static JobRequest request(JsonNode node, int line, Set<String> ids) {
        if (node == null || !node.isObject()) {
            throw new InvalidJobRequestException(line, "a request is a JSON object");
        }
        String customId = string(node, "customId", line, true);
        if (customId.isEmpty() || customId.length() > MAX_CUSTOM_ID) {
            throw new InvalidJobRequestException(line, "a customId is 1-" + MAX_CUSTOM_ID + " characters");
        }
        if (!ids.add(customId)) {
            throw new InvalidJobRequestException(line, "customId '" + customId + "' is used twice in the job");
        }
        return new JobRequest(customId, string(node, "text", line, true), string(node, "model", line, false),
                string(node, "mode", line, false), number(node, "sentences", line), number(node, "words", line));
    }

    private static String string(JsonNode node, String field, int line, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new InvalidJobRequestException(line, "\"" + field + "\" is missing");
            }
            return null;
        }
        if (!value.isString()) {
            throw new InvalidJobRequestException(line, "\"" + field + "\" must be a string");
        }
        return value.asString();
    }

    private static Integer number(JsonNode node, String field, int line) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isInt() || value.asInt() < 1) {
            throw new InvalidJobRequestException(line, "\"" + field + "\" must be a positive integer");
        }
        return value.asInt();
    }

    /** SHA-256 over the requests and metadata in a fixed form: equal bodies, equal digests. */
    static String digest(List<JobRequest> requests, String metadata) {
        ObjectNode canonical = JSON.createObjectNode();
        canonical.set("requests", JSON.valueToTree(requests));
        canonical.put("metadata", metadata);
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(JSON.writeValueAsString(canonical).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }
}
