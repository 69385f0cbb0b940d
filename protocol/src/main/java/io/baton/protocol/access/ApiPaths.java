package io.baton.protocol.access;

import org.springframework.http.server.PathContainer;
import org.springframework.http.server.RequestPath;

/**
 * Whether a request is for the API ({@code /v1} and everything under it), judged on the path as
 * the router matches it, not as it was written: each segment decoded ({@code %76%31} is {@code
 * v1}), path parameters dropped ({@code v1;x=1} is {@code v1}), empty segments skipped ({@code
 * //v1}). A check on the raw path would let {@code /v1;x=1/summaries} or {@code /%76%31/summaries}
 * pass a filter that the router then hands to a controller.
 */
public final class ApiPaths {

    /** The first segment of every API path. */
    public static final String API = "v1";

    private ApiPaths() {
    }

    /** Whether {@code path} is {@code /v1} or under it, as routed. */
    public static boolean isApi(RequestPath path) {
        for (PathContainer.Element element : path.pathWithinApplication().elements()) {
            if (element instanceof PathContainer.PathSegment segment && !segment.valueToMatch().isEmpty()) {
                return API.equals(segment.valueToMatch());
            }
        }
        return false;
    }
}
