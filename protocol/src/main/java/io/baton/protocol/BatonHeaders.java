package io.baton.protocol;

/**
 * The names that travel between Baton services besides the records: HTTP headers and the extra
 * members of problem details. Nothing else declares them.
 */
public final class BatonHeaders {

    /** The tenant a service-to-service call acts for; trusted only from an authenticated caller. */
    public static final String TENANT = "X-Baton-Tenant";
    /** The id of a request, sent on and answered back; problem details name it too. */
    public static final String REQUEST_ID = "X-Request-Id";
    /** A put of checkpoint n names the digest of the checkpoint n-1 it continued from. */
    public static final String PARENT_DIGEST = "X-Baton-Parent-Digest";
    /**
     * Milliseconds a put of checkpoint n that names its parent may wait for n-1 to be stored when
     * n-1's own put is still on its way (a writer putting ahead; the memory service caps it); without
     * it, or 0, such a put is refused as not next at once.
     */
    public static final String PARENT_WAIT_MS = "X-Baton-Parent-Wait-Ms";
    /** The digest of the checkpoint a put stored, or a read returned. */
    public static final String CHECKPOINT_DIGEST = "X-Baton-Checkpoint-Digest";
    /** "true" when the stored bytes are exactly the bytes put (no lossy encoding). */
    public static final String EXACT = "X-Baton-Exact";
    /** Metadata of a checkpoint answered beside its bytes. */
    public static final String SEGMENT = "X-Baton-Segment";
    public static final String TOKENS = "X-Baton-Tokens";
    public static final String MODEL = "X-Baton-Model";
    public static final String MODEL_DIGEST = "X-Baton-Model-Digest";
    public static final String VERSION = "X-Baton-Version";
    /**
     * Milliseconds left of the caller's deadline when it sent the call (relative, so clocks of
     * different hosts need not agree); the called service drops the work once they are spent.
     */
    public static final String TIME_LEFT_MS = "X-Baton-Time-Left-Ms";

    /** Problem member: the segment a document expects next (segment-gap, checkpoint-conflict). */
    public static final String EXPECTED_SEGMENT = "expectedSegment";
    /** Problem member: the request id of the failed request. */
    public static final String REQUEST_ID_MEMBER = "requestId";
    /**
     * Problem member: the W3C trace id (32 hex digits) of the failed request, the one its log lines
     * and spans name (docs/observability.md); absent when the service traces nothing.
     */
    public static final String TRACE_ID_MEMBER = "traceId";
    /**
     * Problem member: whole seconds after which the refused request may be sent again; every 429
     * and 503 answers it, and its {@code Retry-After} header says the same.
     */
    public static final String RETRY_AFTER_MEMBER = "retryAfter";

    private BatonHeaders() {
    }
}
