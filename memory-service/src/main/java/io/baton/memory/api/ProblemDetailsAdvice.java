package io.baton.memory.api;

import io.baton.common.problems.Problems;
import io.baton.common.BatonException;
import io.baton.common.state.StateFormatException;
import io.baton.memory.MemoryException;
import io.baton.memory.checkpoints.CheckpointMetadataException;
import io.baton.memory.store.CheckpointConflictException;
import io.baton.memory.store.CheckpointNotFoundException;
import io.baton.memory.store.Head;
import io.baton.memory.store.ModelMismatchException;
import io.baton.memory.store.QuotaExceededException;
import java.net.URI;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Turns every failure into an RFC 9457 problem detail ({@code application/problem+json}) with
 * {@code type} = {@value #TYPE_PREFIX}{@code <type>}, {@code title}, {@code status}, {@code
 * detail}, {@code instance} (the request path) and, where they help the client, extra members:
 * {@code head} and {@code expectedSegment} on a conflict, {@code reason} on a broken container,
 * {@code key} on bad metadata, {@code limit} on a body too large. {@link BatonException}s keep
 * their own type and status ({@link MemoryException#status()}; 400 for a {@link
 * StateFormatException}); framework errors (malformed JSON, unsupported media type, unknown
 * route, wrong method) get a type of their own; anything else is a 500 {@code internal-error}
 * whose detail names no internals. No response ever carries a stack trace.
 */
@RestControllerAdvice
public class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

    /** Prefix of every problem type. */
    public static final String TYPE_PREFIX = Problems.TYPE_PREFIX;

    private static final Logger LOG = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

    /** A failure the service reports on purpose. */
    @ExceptionHandler(BatonException.class)
    public Mono<ResponseEntity<ProblemDetail>> baton(BatonException e, ServerWebExchange exchange) {
        int status = e instanceof MemoryException memory ? memory.status()
                : e instanceof StateFormatException ? 400 : 500;
        if (status == 507) {
            LOG.warn("{} {} refused: {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(),
                    e.getMessage());
        } else if (status >= 500) {
            LOG.error("{} {} failed: {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(),
                    e.getMessage(), e);
        }
        ProblemDetail problem = problem(HttpStatusCode.valueOf(status), e.type(), e.getMessage(), exchange);
        addProperties(problem, e, exchange);
        return Mono.just(respond(problem));
    }

    /** Anything unforeseen: logged with its trace, answered without it. */
    @ExceptionHandler(Exception.class)
    public Mono<ResponseEntity<ProblemDetail>> unexpected(Exception e, ServerWebExchange exchange) {
        LOG.error("{} {} failed unexpectedly", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), e);
        return Mono.just(respond(problem(HttpStatusCode.valueOf(500), "internal-error",
                "the memory service failed unexpectedly; the cause is in its log", exchange)));
    }

    /** Framework errors: keep Spring's status and detail, give them our type and instance. */
    @Override
    protected Mono<ResponseEntity<Object>> handleExceptionInternal(Exception ex, Object body,
            HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
        if (status.is5xxServerError()) {
            LOG.error("{} {} failed", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), ex);
        }
        return super.handleExceptionInternal(ex, body, headers, status, exchange).map(response -> {
            if (response.getBody() instanceof ProblemDetail problem) {
                Problems.retype(problem, frameworkType(ex, response.getStatusCode()));
                problem.setInstance(instance(exchange));
                if (ex instanceof WebExchangeBindException bind) {
                    problem.setProperty("errors", bind.getFieldErrors().stream()
                            .map(error -> error.getField() + ": " + error.getDefaultMessage()).toList());
                }
            }
            return response;
        });
    }

    /** A framework failure's type; here an unnamed one is {@code payload-too-large}, {@code internal-error} or {@code bad-request}. */
    private static String frameworkType(Exception ex, HttpStatusCode status) {
        String named = Problems.frameworkType(ex, status);
        if (named != null) {
            return named;
        }
        return status.value() == 413 ? "payload-too-large" : status.is5xxServerError() ? "internal-error" : "bad-request";
    }

    private static void addProperties(ProblemDetail problem, BatonException e, ServerWebExchange exchange) {
        if (e instanceof CheckpointConflictException conflict) {
            problem.setProperty("head", head(conflict.head(), exchange));
            problem.setProperty("segment", conflict.segment());
            problem.setProperty("expectedSegment", conflict.expected());
        } else if (e instanceof ModelMismatchException mismatch) {
            problem.setProperty("head", head(mismatch.head(), exchange));
        } else if (e instanceof CheckpointNotFoundException notKept && notKept.head() != null) {
            problem.setProperty("oldest", notKept.head().oldest());
            problem.setProperty("newest", notKept.head().segment());
        } else if (e instanceof StateFormatException format) {
            problem.setProperty("reason", format.reason().name());
        } else if (e instanceof CheckpointMetadataException metadata) {
            problem.setProperty("key", metadata.key());
        } else if (e instanceof PayloadTooLargeException tooLarge) {
            problem.setProperty("limit", tooLarge.limit());
        } else if (e instanceof QuotaExceededException quota) {
            problem.setProperty("used", quota.used());
            problem.setProperty("quota", quota.quota());
        }
    }

    /** The head as on the wire, named by the document of the request path. */
    private static HeadResponse head(Head head, ServerWebExchange exchange) {
        if (head == null) {
            return null;
        }
        Map<String, String> variables = exchange.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
        String document = variables == null ? null : variables.get("doc");
        return HeadResponse.of(document, head);
    }

    private static ProblemDetail problem(HttpStatusCode status, String type, String detail,
            ServerWebExchange exchange) {
        return Problems.of(status, type, detail, instance(exchange));
    }

    private static ResponseEntity<ProblemDetail> respond(ProblemDetail problem) {
        return ResponseEntity.status(problem.getStatus())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }

    private static URI instance(ServerWebExchange exchange) {
        try {
            return URI.create(exchange.getRequest().getPath().value());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
