package io.baton.common.problems;

import java.net.URI;
import java.util.Locale;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;

/**
 * The RFC 9457 problem details every service answers with: {@code type} =
 * {@value #TYPE_PREFIX}{@code <type>} (a {@link io.baton.common.BatonException#type()} or one of
 * the framework's failures named here), {@code title} read off the type. Each service's advice
 * maps its own exceptions; the shape and the framework names are one rule for all of them.
 */
public final class Problems {

    /** The prefix of every problem {@code type}. */
    public static final String TYPE_PREFIX = "urn:baton:problem:";

    private Problems() {
    }

    /** A problem of {@code type} with {@code status}, {@code detail} and {@code instance} (may be null). */
    public static ProblemDetail of(HttpStatusCode status, String type, String detail, URI instance) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        retype(problem, type);
        problem.setInstance(instance);
        return problem;
    }

    /** Gives {@code problem} the {@code type} (and its title). */
    public static void retype(ProblemDetail problem, String type) {
        problem.setType(URI.create(TYPE_PREFIX + type));
        problem.setTitle(title(type));
    }

    /** "checkpoint-conflict" reads "Checkpoint conflict". */
    public static String title(String type) {
        String words = type.replace('-', ' ');
        return words.isEmpty() ? words : words.substring(0, 1).toUpperCase(Locale.ROOT) + words.substring(1);
    }

    /**
     * The type of a failure the web framework reports itself (bad JSON, validation, media types,
     * methods, routes), or null for another one, which each service names by its own rule (e.g.
     * {@link #statusName}).
     */
    public static String frameworkType(Exception ex, HttpStatusCode status) {
        if (ex instanceof WebExchangeBindException || ex instanceof HandlerMethodValidationException) {
            return "invalid-request";
        }
        if (ex instanceof ServerWebInputException) {
            return "malformed-request";
        }
        if (ex instanceof UnsupportedMediaTypeStatusException) {
            return "unsupported-media-type";
        }
        if (ex instanceof NotAcceptableStatusException) {
            return "not-acceptable";
        }
        if (ex instanceof MethodNotAllowedException) {
            return "method-not-allowed";
        }
        if (status.value() == 404) {
            return "not-found";
        }
        return null;
    }

    /** A status by its name: {@code bad-gateway}; {@code http-<code>} for an unregistered one. */
    public static String statusName(HttpStatusCode status) {
        HttpStatus known = HttpStatus.resolve(status.value());
        return known == null ? "http-" + status.value() : known.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
