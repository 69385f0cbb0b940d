package io.baton.protocol.problems;

import java.net.URI;
import java.util.Locale;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;

/**
 * The RFC 9457 problem details every service answers with: {@code type} = the {@link
 * ProblemType}'s URI, {@code status} = its status, {@code title} read off its slug. Each
 * service's advice maps its own exceptions through the catalogue; the shape and the framework's
 * failures are one rule for all of them.
 */
public final class Problems {

    private Problems() {
    }

    /** A problem of {@code type} (its status) with {@code detail} and {@code instance} (may be null). */
    public static ProblemDetail of(ProblemType type, String detail, URI instance) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatusCode.valueOf(type.status()), detail);
        retype(problem, type);
        problem.setInstance(instance);
        return problem;
    }

    /**
     * The seconds a client should wait before it sends a refused request again: the problem's own
     * {@code retryAfter} member; for a 429 or a 503 that has none, 1. Negative when the answer is
     * not one to send again as is.
     */
    public static long retryAfterSeconds(ProblemDetail problem) {
        Object given = problem.getProperties() == null ? null
                : problem.getProperties().get(io.baton.protocol.BatonHeaders.RETRY_AFTER_MEMBER);
        if (given instanceof Number seconds) {
            return Math.max(0, seconds.longValue());
        }
        return problem.getStatus() == 429 || problem.getStatus() == 503 ? 1 : -1;
    }

    /** Adds {@code Retry-After} to {@code headers} and the {@code retryAfter} member to {@code problem}, for a 429 or 503. */
    public static void addRetryAfter(ProblemDetail problem, org.springframework.http.HttpHeaders headers) {
        long retryAfter = retryAfterSeconds(problem);
        if (retryAfter >= 0) {
            problem.setProperty(io.baton.protocol.BatonHeaders.RETRY_AFTER_MEMBER, retryAfter);
            headers.set(org.springframework.http.HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
        }
    }

    /** Whole seconds of {@code wait}, rounded up (at least 1): what {@code Retry-After} says. */
    public static long seconds(java.time.Duration wait) {
        long millis = Math.max(0, wait.toMillis());
        return Math.max(1, (millis + 999) / 1000);
    }

    /** Gives {@code problem} the {@code type} (and its title). */
    public static void retype(ProblemDetail problem, ProblemType type) {
        problem.setType(URI.create(type.uri()));
        problem.setTitle(title(type.slug()));
    }

    /** "checkpoint-conflict" reads "Checkpoint conflict". */
    public static String title(String slug) {
        String words = slug.replace('-', ' ');
        return words.isEmpty() ? words : words.substring(0, 1).toUpperCase(Locale.ROOT) + words.substring(1);
    }

    /**
     * The type of a failure the web framework reports itself (bad JSON, validation, media types,
     * methods, routes, bodies over the limit); another one by its status: {@code internal-error}
     * for a 5xx, {@code bad-request} for another 4xx.
     */
    public static ProblemType frameworkType(Exception ex, HttpStatusCode status) {
        if (ex instanceof WebExchangeBindException || ex instanceof HandlerMethodValidationException) {
            return ProblemType.INVALID_REQUEST;
        }
        if (status.value() == 413) {
            return ProblemType.PAYLOAD_TOO_LARGE;
        }
        if (ex instanceof ServerWebInputException) {
            return ProblemType.MALFORMED_REQUEST;
        }
        if (ex instanceof UnsupportedMediaTypeStatusException) {
            return ProblemType.UNSUPPORTED_MEDIA_TYPE;
        }
        if (ex instanceof NotAcceptableStatusException) {
            return ProblemType.NOT_ACCEPTABLE;
        }
        if (ex instanceof MethodNotAllowedException) {
            return ProblemType.METHOD_NOT_ALLOWED;
        }
        if (status.value() == 404) {
            return ProblemType.NOT_FOUND;
        }
        return status.is5xxServerError() ? ProblemType.INTERNAL_ERROR : ProblemType.BAD_REQUEST;
    }
}
