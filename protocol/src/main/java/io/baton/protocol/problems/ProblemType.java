package io.baton.protocol.problems;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The one catalogue of problem types: every {@code type} a Baton service answers ({@code
 * urn:baton:problem:<slug>}), with its HTTP status, whether a caller may retry the same request
 * and expect it to succeed later ({@link #retryable()}: the service or a dependency is
 * unavailable, never the request or its tenant), and whether its detail may be shown to a client
 * outside the platform ({@link #publicDetail()}); when not, clients see {@link #publicText()}.
 *
 * <p>Every service's problem-details advice takes the status from here, and every client of
 * another service maps an answer back to its constant here: retries and circuit breakers count
 * only what is {@link #retryable()}, so a refusal that belongs to one tenant (a quota, a
 * conflict, bad input) never opens a breaker that other tenants share; breakers leave out, too,
 * what is {@link #behind()} the service that answered.
 */
public enum ProblemType {

    // ---- the web framework, any service ----------------------------------------------------
    MALFORMED_REQUEST("malformed-request", 400, false, true, null),
    INVALID_REQUEST("invalid-request", 400, false, true, null),
    INVALID_UTF8("invalid-utf8", 400, false, true, null),
    BAD_REQUEST("bad-request", 400, false, true, null),
    NOT_FOUND("not-found", 404, false, true, null),
    METHOD_NOT_ALLOWED("method-not-allowed", 405, false, true, null),
    NOT_ACCEPTABLE("not-acceptable", 406, false, true, null),
    PAYLOAD_TOO_LARGE("payload-too-large", 413, false, true, null),
    /** A request's header fields are over the service's bound (a gateway limit, below the HTTP server's own). */
    HEADERS_TOO_LARGE("headers-too-large", 431, false, true, null),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", 415, false, true, null),
    /** The client did not send its whole request body within the server's read timeout. */
    REQUEST_TIMEOUT("request-timeout", 408, false, true, null),
    INTERNAL_ERROR("internal-error", 500, true, false, "the service failed unexpectedly"),
    /** The service is at capacity (its queues are full); answered with {@code Retry-After}. */
    SERVICE_BUSY("service-busy", 503, true, false, "the service is at capacity; retry later"),
    /** The request's deadline passed before its work was done; the work was dropped. */
    DEADLINE_EXCEEDED("deadline-exceeded", 504, false, true, null),
    /** A tenant has as many requests running as it may; answered with {@code Retry-After}. */
    TENANT_BUSY("tenant-busy", 429, false, true, null),
    /** A tenant sent more tokens than its rate allows; answered with {@code Retry-After}. */
    RATE_LIMITED("rate-limited", 429, false, true, null),

    // ---- callers and credentials ----------------------------------------------------------
    MISSING_API_KEY("missing-api-key", 401, false, true, null),
    INVALID_API_KEY("invalid-api-key", 401, false, true, null),
    MISSING_CREDENTIALS("missing-credentials", 401, false, true, null),
    INVALID_CREDENTIALS("invalid-credentials", 401, false, true, null),
    MISSING_TENANT("missing-tenant", 400, false, false, "the call named no tenant"),

    // ---- the gateway ----------------------------------------------------------------------
    EMPTY_TEXT("empty-text", 400, false, true, null),
    BINARY_TEXT("binary-text", 400, false, true, null),
    MALFORMED_TEXT("malformed-text", 400, false, true, null),
    TEXT_READ("text-read", 400, false, true, null),
    UNKNOWN_MODEL("unknown-model", 404, false, true, null),
    TOKENIZER_LOAD("tokenizer-load", 500, false, false, "the model's tokenizer could not be loaded"),
    DOCUMENT_NOT_FOUND("document-not-found", 404, false, true, null),
    DOCUMENT_EXISTS("document-exists", 409, false, true, null),
    DOCUMENT_BUSY("document-busy", 409, false, true, null),
    DOCUMENT_BEHIND("document-behind", 409, false, true, null),
    DOCUMENT_CONFLICT("document-conflict", 409, false, true, null),
    // ---- batch jobs (docs/jobs.md) ----------------------------------------------------------
    JOB_NOT_FOUND("job-not-found", 404, false, true, null),
    /** A line or request of a submitted job is not a valid request; {@code line} names it. */
    INVALID_JOB_REQUEST("invalid-job-request", 400, false, true, null),
    /** An {@code Idempotency-Key} used before with another body. */
    IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", 422, false, true, null),
    /** The result of a request given up because its job was cancelled (a result line, never a response). */
    JOB_CANCELLED("job-cancelled", 409, false, true, null),
    /** The result of a request given up because its job expired before it ran. */
    JOB_EXPIRED("job-expired", 410, false, true, null),
    /** A request failed on every delivery the queue allows (a result line, never a response). */
    DELIVERY_LIMIT("delivery-limit", 500, false, true, null),
    JOB_STORE_UNAVAILABLE("job-store-unavailable", 503, true, false, "the job store is unavailable; retry later"),
    NO_SENTENCE_VECTORS("no-sentence-vectors", 422, false, false,
            "the model gives no sentence vectors, which extractive summaries need"),
    INFERENCE_UNAVAILABLE("inference-unavailable", 503, true, false,
            "inference is unavailable; retry later"),
    INFERENCE_REJECTED("inference-rejected", 502, false, false,
            "inference refused a call of the gateway"),

    // ---- inference ------------------------------------------------------------------------
    EMPTY_SEGMENT("empty-segment", 400, false, true, null),
    SEGMENT_TOO_LONG("segment-too-long", 400, false, true, null),
    TOKEN_OUT_OF_VOCABULARY("token-out-of-vocabulary", 400, false, true, null),
    UNEQUAL_SEGMENT_LENGTHS("unequal-segment-lengths", 400, false, true, null),
    INVALID_SENTENCE_SPAN("invalid-sentence-span", 400, false, true, null),
    SEGMENT_GAP("segment-gap", 409, false, true, null),
    STALE_PARENT("stale-parent", 409, false, true, null),
    STATE_MISMATCH("state-mismatch", 409, false, true, null),
    /**
     * A document's state went missing while it ran: the store no longer has checkpoints it
     * acknowledged (a restart without persistence). Never a silently wrong result.
     */
    STATE_LOST("state-lost", 503, false, true, null),
    MODEL_CONTRACT("model-contract", 500, false, false, "the model does not keep the model contract"),
    INVALID_CONFIGURATION("invalid-configuration", 500, false, false, "the service is misconfigured"),
    ONNX_RUNTIME("onnx-runtime", 503, true, false, "the model failed to run; retry later"),
    MEMORY_UNAVAILABLE("memory-unavailable", 503, true, false, "the state store is unavailable; retry later"),
    MEMORY_REJECTED("memory-rejected", 502, false, false, "the state store refused a call of the platform"),

    // ---- memory ---------------------------------------------------------------------------
    INVALID_ID("invalid-id", 400, false, true, null),
    INVALID_SEGMENT("invalid-segment", 400, false, true, null),
    INVALID_PARAMETER("invalid-parameter", 400, false, true, null),
    INVALID_CURSOR("invalid-cursor", 400, false, true, null),
    EMPTY_BODY("empty-body", 400, false, true, null),
    STATE_FORMAT("state-format", 400, false, false, "a stored state is not a valid state container"),
    CHECKPOINT_METADATA("checkpoint-metadata", 400, false, false, "a state container's metadata is invalid"),
    CHECKPOINT_NOT_FOUND("checkpoint-not-found", 404, false, true, null),
    CHECKPOINT_CONFLICT("checkpoint-conflict", 409, false, true, null),
    MODEL_MISMATCH("model-mismatch", 409, false, true, null),
    PARENT_MISMATCH("parent-mismatch", 412, false, true, null),
    QUOTA_EXCEEDED("quota-exceeded", 507, false, true, null),
    STORE_FULL("store-full", 507, false, false, "the state store is full; retry later or delete documents"),
    CORRUPT_CHECKPOINT("corrupt-checkpoint", 500, false, false, "a stored checkpoint could not be read"),
    STORE_UNAVAILABLE("store-unavailable", 503, true, false, "the state store is unavailable; retry later"),
    /** Written on the store's primary, but fewer replicas than asked for confirmed it in time. */
    REPLICATION_TIMEOUT("replication-timeout", 503, true, false,
            "the state store did not confirm the write on enough replicas in time; retry later");

    /** The prefix of every problem {@code type} URI. */
    public static final String TYPE_PREFIX = "urn:baton:problem:";

    private static final Map<String, ProblemType> BY_SLUG = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(ProblemType::slug, Function.identity()));

    private final String slug;
    private final int status;
    private final boolean retryable;
    private final boolean publicDetail;
    private final String publicText;

    ProblemType(String slug, int status, boolean retryable, boolean publicDetail, String publicText) {
        this.slug = slug;
        this.status = status;
        this.retryable = retryable;
        this.publicDetail = publicDetail;
        this.publicText = publicText;
    }

    /** The last segment of the type URI, e.g. {@code quota-exceeded}. Never changes once published. */
    public String slug() {
        return slug;
    }

    /** The type URI, {@code urn:baton:problem:<slug>}. */
    public String uri() {
        return TYPE_PREFIX + slug;
    }

    /** The HTTP status every service answers this problem with. */
    public int status() {
        return status;
    }

    /**
     * Whether a caller may send the same request again and expect it to succeed later: true only
     * when a service (or its store, or its model runtime) is unavailable; the only answers that
     * retries repeat and circuit breakers count (those not {@link #behind()} the service).
     */
    public boolean retryable() {
        return retryable;
    }

    /**
     * Whether this retryable problem is about something behind the service that answered it: the
     * state store ({@code store-unavailable}), its replicas ({@code replication-timeout}), or a
     * further service ({@code memory-unavailable} from inference). The answering service works
     * and its other calls (other documents, another shard) may succeed, so a caller retries it but
     * its circuit breaker does not count it: one shard without replicas must not cut a whole
     * service off (docs/protocol.md, "Calls between services").
     */
    public boolean behind() {
        return this == STORE_UNAVAILABLE || this == REPLICATION_TIMEOUT || this == MEMORY_UNAVAILABLE;
    }

    /** Whether the detail may be shown to a client outside the platform (it describes their request). */
    public boolean publicDetail() {
        return publicDetail;
    }

    /** What a client outside the platform reads instead of a detail that is not public; null when it is. */
    public String publicText() {
        return publicText;
    }

    /** The problem named by {@code slug}, or null when the catalogue has none. */
    public static ProblemType ofSlug(String slug) {
        return slug == null ? null : BY_SLUG.get(slug);
    }

    /** The problem whose type URI is {@code uri}, or null when the catalogue has none. */
    public static ProblemType ofUri(String uri) {
        return uri != null && uri.startsWith(TYPE_PREFIX) ? ofSlug(uri.substring(TYPE_PREFIX.length())) : null;
    }
}
