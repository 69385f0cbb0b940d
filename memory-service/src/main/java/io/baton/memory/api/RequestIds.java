package io.baton.memory.api;

import io.baton.memory.checkpoints.InvalidSegmentException;
import io.baton.memory.store.DocumentKey;
import io.baton.protocol.BatonHeaders;
import java.time.Duration;
import java.util.regex.Pattern;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * Reads the ids of a request, in the order the API checks them: the tenant header (present,
 * then well-formed), the document id, the segment index.
 */
final class RequestIds {

    /** The header naming the tenant of every request. */
    static final String TENANT_HEADER = BatonHeaders.TENANT;

    /** Up to 18 digits, so every accepted index fits a long. */
    private static final Pattern SEGMENT = Pattern.compile("[0-9]{1,18}");
    /** A checkpoint digest: hex SHA-256. */
    private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern MILLIS = Pattern.compile("[0-9]{1,9}");

    private RequestIds() {
    }

    /**
     * The request's tenant.
     *
     * @throws MissingTenantException without the header
     * @throws io.baton.memory.store.InvalidIdException if it is malformed
     */
    static String tenant(ServerHttpRequest request) {
        String tenant = request.getHeaders().getFirst(TENANT_HEADER);
        if (tenant == null) {
            throw new MissingTenantException("the " + TENANT_HEADER + " header is required");
        }
        return DocumentKey.requireTenant(tenant);
    }

    /** The request's tenant's document {@code document}, both checked. */
    static DocumentKey document(ServerHttpRequest request, String document) {
        return new DocumentKey(tenant(request), document);
    }

    /**
     * The segment index of the path.
     *
     * @throws InvalidSegmentException unless it is a non-negative decimal integer
     */
    static long segment(String segment) {
        if (segment == null || !SEGMENT.matcher(segment).matches()) {
            throw new InvalidSegmentException("segment index '" + abbreviate(segment)
                    + "' is not a non-negative integer");
        }
        return Long.parseLong(segment);
    }

    /**
     * A checkpoint digest given in header {@code header}; null when the header is absent.
     *
     * @throws InvalidParameterException unless it is 64 lower-case hex digits
     */
    static String digest(String header, String value) {
        if (value == null) {
            return null;
        }
        if (!DIGEST.matcher(value).matches()) {
            throw new InvalidParameterException(header + " '" + abbreviate(value)
                    + "' is not a checkpoint digest (64 lower-case hex digits)");
        }
        return value;
    }

    /**
     * A wait in milliseconds given in header {@code header}; zero when the header is absent.
     *
     * @throws InvalidParameterException unless it is a non-negative decimal integer
     */
    static Duration millis(String header, String value) {
        if (value == null) {
            return Duration.ZERO;
        }
        if (!MILLIS.matcher(value).matches()) {
            throw new InvalidParameterException(header + " '" + abbreviate(value)
                    + "' is not a whole number of milliseconds (0 to 999999999)");
        }
        return Duration.ofMillis(Long.parseLong(value));
    }

    private static String abbreviate(String value) {
        return value == null ? "" : value.length() <= 40 ? value : value.substring(0, 37) + "...";
    }
}
