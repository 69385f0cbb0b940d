package io.baton.inference.problems;

import io.baton.common.problems.Problems;
import io.baton.inference.InferenceException;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
import reactor.core.publisher.Mono;

/**
 * Every error of the inference service as an RFC 9457 problem detail ({@code
 * application/problem+json}), with a stable {@code type} of {@code urn:baton:problem:<type>}:
 *
 * <ul>
 *   <li>an {@link InferenceException}: its {@link InferenceException#status() status} and
 *       {@link InferenceException#type() type}, its message as {@code detail};
 *   <li>framework errors: {@code malformed-request} (unreadable JSON, a wrong parameter type),
 *       {@code invalid-request} (Bean Validation, with {@code errors}: field and message each),
 *       {@code unsupported-media-type}, {@code not-acceptable}, {@code method-not-allowed},
 *       {@code not-found} (no such route), otherwise the status's reason phrase;
 *   <li>anything else: 500 {@code internal-error}, logged, its message not shown.
 * </ul>
 */
@RestControllerAdvice
public class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

    /** Problem types are this followed by the failure's type, e.g. {@code urn:baton:problem:unknown-model}. */
    public static final String TYPE_PREFIX = Problems.TYPE_PREFIX;

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

    @ExceptionHandler(InferenceException.class)
    public ResponseEntity<ProblemDetail> inference(InferenceException e, ServerWebExchange exchange) {
        HttpStatusCode status = HttpStatusCode.valueOf(e.status());
        if (status.is5xxServerError()) {
            log.error("{} {}: {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), e.getMessage(), e);
        }
        ResponseEntity<ProblemDetail> response = problem(status, e.type(), e.getMessage(), exchange);
        e.properties().forEach(response.getBody()::setProperty);
        return response;
    }

    @ExceptionHandler(Exception.class)
    public ResponseEntity<ProblemDetail> unexpected(Exception e, ServerWebExchange exchange) {
        log.error("{} {} failed unexpectedly", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error",
                "the inference service failed unexpectedly; the log has the details", exchange);
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
                                                                   HttpStatusCode status, ServerWebExchange exchange) {
        if (body == null && ex instanceof ErrorResponse error) {
            Locale locale = exchange.getLocaleContext().getLocale();
            body = error.updateAndGetBody(getMessageSource(), locale == null ? Locale.getDefault() : locale);
        }
        if (body instanceof ProblemDetail problem) {
            String named = Problems.frameworkType(ex, status);
            String type = named != null ? named : Problems.statusName(status);
            Problems.retype(problem, type);
            if (problem.getInstance() == null) {
                problem.setInstance(URI.create(exchange.getRequest().getPath().value()));
            }
            if (problem.getDetail() == null && "not-found".equals(type)) {
                problem.setDetail("no route " + exchange.getRequest().getMethod() + " " + exchange.getRequest().getPath());
            }
            if (ex instanceof WebExchangeBindException bind) {
                problem.setProperty("errors", bind.getFieldErrors().stream()
                        .map(f -> Map.of("field", f.getField(), "message", String.valueOf(f.getDefaultMessage())))
                        .toList());
            }
        }
        return super.handleExceptionInternal(ex, body, headers, status, exchange);
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatusCode status, String type, String detail,
                                                         ServerWebExchange exchange) {
        ProblemDetail problem = Problems.of(status, type, detail, URI.create(exchange.getRequest().getPath().value()));
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

}
