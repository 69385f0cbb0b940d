package io.baton.gateway.problems;

import io.baton.common.problems.Problems;
import io.baton.gateway.GatewayException;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import reactor.core.publisher.Mono;
import tools.jackson.core.exc.StreamReadException;

/**
 * Every error of the gateway as an RFC 9457 problem detail ({@code application/problem+json}),
 * {@code type} = {@code urn:baton:problem:<type>}:
 *
 * <ul>
 *   <li>a {@link GatewayException}: its status, type, message as {@code detail} and extra members;
 *   <li>a body over the codec limit ({@code spring.codec.max-in-memory-size}): 413 {@code
 *       payload-too-large}, with {@code limit};
 *   <li>a body that is not UTF-8: 400 {@code invalid-utf8};
 *   <li>framework errors: {@code malformed-request} (unreadable JSON), {@code invalid-request}
 *       (Bean Validation, with {@code errors}), {@code unsupported-media-type}, {@code
 *       not-acceptable}, {@code method-not-allowed}, {@code not-found};
 *   <li>anything else: 500 {@code internal-error}, logged, its message not shown.
 * </ul>
 */
@RestControllerAdvice
public class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

    /** Problem types are this followed by the failure's type. */
    public static final String TYPE_PREFIX = Problems.TYPE_PREFIX;

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

    @ExceptionHandler(GatewayException.class)
    public ResponseEntity<ProblemDetail> gateway(GatewayException e, ServerWebExchange exchange) {
        HttpStatusCode status = HttpStatusCode.valueOf(e.status());
        if (status.is5xxServerError()) {
            log.error("{} {}: {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), e.getMessage(), e);
        }
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problemOf(e, exchange.getRequest().getPath().value()));
    }

    /**
     * The problem detail of {@code e} at {@code instance} (the request path): what this advice
     * answers, and what a web filter writes itself for a failure that happens before any handler.
     */
    public static ProblemDetail problemOf(GatewayException e, String instance) {
        ProblemDetail problem = problemDetail(HttpStatusCode.valueOf(e.status()), e.type(), e.getMessage(), instance);
        e.properties().forEach(problem::setProperty);
        return problem;
    }

    /**
     * The problem detail of any failure, for a stream that has already begun (its status is sent):
     * a {@link GatewayException}'s own, anything else {@code internal-error} (logged here).
     */
    public static ProblemDetail problemOf(Throwable e, String instance) {
        if (e instanceof GatewayException gateway) {
            return problemOf(gateway, instance);
        }
        log.error("{} failed unexpectedly after its stream began", instance, e);
        return problemDetail(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error",
                "the gateway failed unexpectedly; the log has the details", instance);
    }

    @ExceptionHandler(DataBufferLimitException.class)
    public ResponseEntity<ProblemDetail> tooLarge(DataBufferLimitException e, ServerWebExchange exchange) {
        return payloadTooLarge(e, exchange);
    }

    @ExceptionHandler(Exception.class)
    public ResponseEntity<ProblemDetail> unexpected(Exception e, ServerWebExchange exchange) {
        log.error("{} {} failed unexpectedly", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error",
                "the gateway failed unexpectedly; the log has the details", exchange);
    }

    @Override
    public Mono<ResponseEntity<Object>> handleServerWebInputException(ServerWebInputException ex, HttpHeaders headers,
                                                                      HttpStatusCode status,
                                                                      ServerWebExchange exchange) {
        DataBufferLimitException limit = limitCause(ex);
        if (limit != null) {
            return Mono.just(ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE)
                    .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .body(payloadTooLarge(limit, exchange).getBody()));
        }
        String invalidUtf8 = invalidUtf8(ex);
        if (invalidUtf8 != null) {
            return Mono.just(ResponseEntity.badRequest().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .body(problem(HttpStatus.BAD_REQUEST, "invalid-utf8", "the request body is not valid UTF-8 ("
                            + invalidUtf8 + "); JSON must be UTF-8", exchange).getBody()));
        }
        return super.handleServerWebInputException(ex, headers, status, exchange);
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
                                                                   HttpStatusCode status, ServerWebExchange exchange) {
        if (body == null && ex instanceof ErrorResponse error) {
            Locale locale = exchange.getLocaleContext().getLocale();
            body = error.updateAndGetBody(getMessageSource(), locale == null ? Locale.getDefault() : locale);
        }
        if (body instanceof ProblemDetail problem) {
            Problems.retype(problem, frameworkType(ex, status));
            if (problem.getInstance() == null) {
                problem.setInstance(URI.create(exchange.getRequest().getPath().value()));
            }
            if (problem.getDetail() == null && status.value() == 413) {
                DataBufferLimitException limit = limitCause(ex);
                problem.setDetail("the request body is larger than this gateway accepts"
                        + (limit == null ? "" : " (" + limit.getMessage() + ")"));
            }
            if (ex instanceof WebExchangeBindException bind) {
                problem.setProperty("errors", bind.getFieldErrors().stream()
                        .map(f -> Map.of("field", f.getField(), "message", String.valueOf(f.getDefaultMessage())))
                        .toList());
            }
            headers = new HttpHeaders(headers);
            headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        }
        return super.handleExceptionInternal(ex, body, headers, status, exchange);
    }

    private static ResponseEntity<ProblemDetail> payloadTooLarge(DataBufferLimitException e, ServerWebExchange exchange) {
        ResponseEntity<ProblemDetail> response = problem(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large",
                "the request body is larger than this gateway accepts (" + e.getMessage() + ")", exchange);
        return response;
    }

    /**
     * The JSON parser's message when it stopped at bytes that are not UTF-8 (Jackson reports
     * "Invalid UTF-8 start byte" / "middle byte" as a read exception), else null.
     */
    private static String invalidUtf8(Throwable e) {
        for (Throwable at = e; at != null; at = at.getCause()) {
            if (at instanceof StreamReadException read && read.getOriginalMessage() != null
                    && read.getOriginalMessage().startsWith("Invalid UTF-8")) {
                return read.getOriginalMessage();
            }
        }
        return null;
    }

    private static DataBufferLimitException limitCause(Throwable e) {
        for (Throwable at = e; at != null; at = at.getCause()) {
            if (at instanceof DataBufferLimitException limit) {
                return limit;
            }
        }
        return null;
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatusCode status, String type, String detail,
                                                         ServerWebExchange exchange) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problemDetail(status, type, detail, exchange.getRequest().getPath().value()));
    }

    private static ProblemDetail problemDetail(HttpStatusCode status, String type, String detail, String instance) {
        return Problems.of(status, type, detail, URI.create(instance));
    }

    /** A framework failure's type; a body over the limit is {@code payload-too-large} here. */
    private static String frameworkType(Exception ex, HttpStatusCode status) {
        String named = Problems.frameworkType(ex, status);
        return named != null ? named : status.value() == 413 ? "payload-too-large" : Problems.statusName(status);
    }
}
