package io.baton.protocol.problems;

import io.baton.protocol.BatonHeaders;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The one rule by which every service turns a failure into an RFC 9457 problem detail ({@code
 * application/problem+json}); each service's {@code @RestControllerAdvice} extends it:
 *
 * <ul>
 *   <li>a {@link BatonException}: its {@link ProblemType} (type, and the catalogue's status), its
 *       message as {@code detail}, its {@link BatonException#properties() extra members};
 *   <li>framework failures: {@link Problems#frameworkType} (malformed or invalid requests, media
 *       types, methods, routes, bodies over the limit), Spring's detail, {@code errors} for Bean
 *       Validation;
 *   <li>anything else: 500 {@code internal-error}, logged with its trace, answered without it.
 * </ul>
 *
 * <p>Every problem names the request's id ({@code requestId}, {@link RequestIds}) and, when the
 * service traces, its trace id ({@code traceId}, {@link TraceIds}); the log lines
 * about it name the same id. Failures of the service itself (5xx) are logged; a 507 (a tenant's
 * quota, a full store) or a passed deadline is a warning, a refusal for capacity a debug line.
 * {@link #finish} lets a service add to or rewrite every problem it answers.
 */
public abstract class ProblemAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);

    /** The service's name in the detail of an unexpected failure, e.g. {@code memory service}. */
    protected abstract String serviceName();

    @ExceptionHandler(BatonException.class)
    public Mono<ResponseEntity<ProblemDetail>> baton(BatonException e, ServerWebExchange exchange) {
        return Mono.just(respond(problemOf(e, exchange)));
    }

    /**
     * The problem detail of {@code e} for the request of {@code exchange}, as this service answers
     * it, by a handler, a filter or a stream that already began alike: a failure of the service
     * (5xx) is logged here, once, with the request's id; a 507 or a passed deadline as a warning,
     * without a trace; a refusal for capacity ({@code service-busy}, a 429), which under load comes
     * by the thousand and is the service working as meant, only at debug level.
     */
    public ProblemDetail problemOf(BatonException e, ServerWebExchange exchange) {
        if (e.status() == 429 || e.type() == ProblemType.SERVICE_BUSY) {
            log.debug("{} {} (request {}) refused: {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(),
                    RequestIds.of(exchange), e.getMessage());
        } else if (e.status() == 507 || e.type() == ProblemType.DEADLINE_EXCEEDED) {
            log.warn("{} {} (request {}) refused: {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(),
                    RequestIds.of(exchange), e.getMessage());
        } else if (e.status() >= 500) {
            log.error("{} {} (request {}) failed: {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(),
                    RequestIds.of(exchange), e.getMessage(), e);
        }
        ProblemDetail problem = Problems.of(e.type(), e.getMessage(), instance(exchange));
        e.properties().forEach(problem::setProperty);
        addProperties(problem, e, exchange);
        return complete(problem, e.type(), exchange);
    }

    /**
     * The problem detail of any failure of the request of {@code exchange}, for where no handler
     * answers it: a web filter, or an event stream whose status is already sent. A failure
     * nobody foresaw is logged here.
     */
    public ProblemDetail problemOf(Throwable e, ServerWebExchange exchange) {
        if (e instanceof BatonException baton) {
            return problemOf(baton, exchange);
        }
        logUnexpected(e, exchange);
        return unexpectedProblem(exchange);
    }

    @ExceptionHandler(Exception.class)
    public Mono<ResponseEntity<ProblemDetail>> unexpected(Exception e, ServerWebExchange exchange) {
        logUnexpected(e, exchange);
        return Mono.just(respond(unexpectedProblem(exchange)));
    }

    private static void logUnexpected(Throwable e, ServerWebExchange exchange) {
        log.error("{} {} (request {}) failed unexpectedly", exchange.getRequest().getMethod(),
                exchange.getRequest().getPath(), RequestIds.of(exchange), e);
    }

    /** The problem of a failure nobody foresaw: its cause is in this service's log only. */
    public ProblemDetail unexpectedProblem(ServerWebExchange exchange) {
        ProblemDetail problem = Problems.of(ProblemType.INTERNAL_ERROR,
                "the " + serviceName() + " failed unexpectedly; its log has the details", instance(exchange));
        return complete(problem, ProblemType.INTERNAL_ERROR, exchange);
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
                                                                   HttpStatusCode status, ServerWebExchange exchange) {
        if (status.is5xxServerError()) {
            log.error("{} {} (request {}) failed", exchange.getRequest().getMethod(), exchange.getRequest().getPath(),
                    RequestIds.of(exchange), ex);
        }
        if (body == null && ex instanceof ErrorResponse error) {
            Locale locale = exchange.getLocaleContext().getLocale();
            body = error.updateAndGetBody(getMessageSource(), locale == null ? Locale.getDefault() : locale);
        }
        if (body instanceof ProblemDetail problem) {
            ProblemType type = frameworkType(ex, status);
            Problems.retype(problem, type);
            if (problem.getInstance() == null) {
                problem.setInstance(instance(exchange));
            }
            if (problem.getDetail() == null) {
                problem.setDetail(defaultDetail(ex, type, exchange));
            }
            if (ex instanceof WebExchangeBindException bind) {
                problem.setProperty("errors", bind.getFieldErrors().stream()
                        .map(f -> Map.of("field", f.getField(), "message", String.valueOf(f.getDefaultMessage())))
                        .toList());
            }
            body = complete(problem, type, exchange);
            headers = new HttpHeaders(headers);
            headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
            Problems.addRetryAfter(problem, headers);
        }
        return super.handleExceptionInternal(ex, body, headers, status, exchange);
    }

    /** The type of a framework failure; a service may name more of them. */
    protected ProblemType frameworkType(Exception ex, HttpStatusCode status) {
        return Problems.frameworkType(ex, status);
    }

    /** The detail of a framework failure that brought none; a service may say more. */
    protected String defaultDetail(Exception ex, ProblemType type, ServerWebExchange exchange) {
        return type == ProblemType.NOT_FOUND
                ? "no route " + exchange.getRequest().getMethod() + " " + exchange.getRequest().getPath() : null;
    }

    /** Extra members only this service knows how to add (e.g. from the request's path). */
    protected void addProperties(ProblemDetail problem, BatonException e, ServerWebExchange exchange) {
    }

    /**
     * Every problem this service answers: named by the request's id, with {@code retryAfter} when it
     * is a 429 or 503 (also in a stream's problem event, which has no headers), then {@link #finish}ed.
     */
    protected final ProblemDetail complete(ProblemDetail problem, ProblemType type, ServerWebExchange exchange) {
        problem.setProperty(BatonHeaders.REQUEST_ID_MEMBER, RequestIds.of(exchange));
        String traceId = TraceIds.of(exchange);
        if (traceId != null) {
            problem.setProperty(BatonHeaders.TRACE_ID_MEMBER, traceId);
        }
        long retryAfter = Problems.retryAfterSeconds(problem);
        if (retryAfter >= 0) {
            problem.setProperty(BatonHeaders.RETRY_AFTER_MEMBER, retryAfter);
        }
        return finish(problem, type, exchange);
    }

    /** The last word on every problem this service answers; as built, by default. */
    protected ProblemDetail finish(ProblemDetail problem, ProblemType type, ServerWebExchange exchange) {
        return problem;
    }

    /**
     * {@code problem} as a response: its status, {@code application/problem+json}, and for a 429 or
     * a 503 {@code Retry-After} ({@link Problems#retryAfterSeconds}), in the body too.
     */
    protected static ResponseEntity<ProblemDetail> respond(ProblemDetail problem) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        Problems.addRetryAfter(problem, headers);
        return ResponseEntity.status(problem.getStatus()).headers(headers).body(problem);
    }

    /** The request's path, the problem's {@code instance}; null if it is not a valid URI. */
    protected static URI instance(ServerWebExchange exchange) {
        try {
            return URI.create(exchange.getRequest().getPath().value());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
