package io.baton.gateway.problems;

import io.baton.protocol.problems.ProblemAdvice;
import io.baton.protocol.problems.ProblemType;
import io.baton.protocol.problems.Problems;
import io.baton.protocol.problems.RequestIds;
import io.netty.channel.ChannelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import reactor.core.publisher.Mono;
import tools.jackson.core.exc.StreamReadException;

/**
 * Every error of the gateway as an RFC 9457 problem detail, by the one rule of {@link
 * ProblemAdvice}: a {@link io.baton.gateway.GatewayException} or a failed call to inference or
 * memory ({@link io.baton.protocol.problems.ServiceCallException}, passed on with that service's type: a
 * tenant's {@code quota-exceeded} stays a 507) with the catalogue's status; framework failures;
 * 500 {@code internal-error} for anything else (logged, its message not shown). Here also:
 *
 * <ul>
 *   <li>a body over the codec limit ({@code spring.http.codecs.max-in-memory-size}): 413 {@code
 *       payload-too-large}, with the limit in the detail;
 *   <li>a body that is not UTF-8: 400 {@code invalid-utf8};
 *   <li>a body not read whole within {@code baton.limits.body-read-timeout} (Reactor Netty's
 *       request timeout): 408 {@code request-timeout}.
 * </ul>
 *
 * <p>The gateway is where problems leave the platform: a problem whose type the catalogue does not
 * call {@link ProblemType#publicDetail() public} (an unreachable service, a rejected internal
 * call, a model that failed to run, an unexpected failure: details that name internal URLs, file
 * paths or ONNX Runtime's own words) is answered with the catalogue's public text instead, and its
 * internal detail goes to the log under the request's id, which the answer names ({@code
 * requestId}, {@code X-Request-Id}).
 */
@RestControllerAdvice
public class ProblemDetailsAdvice extends ProblemAdvice {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

    /** What Reactor Netty fails a request with when its body is not read within its request timeout. */
    static final String REQUEST_TIMEOUT = "reactor.netty.http.server.RequestTimeoutException";

    @Override
    protected String serviceName() {
        return "gateway";
    }

    @Override
    protected ProblemDetail finish(ProblemDetail problem, ProblemType type, ServerWebExchange exchange) {
        if (!type.publicDetail()) {
            if (type.status() < 500) {
                // A failure of the service (5xx) was logged with its detail already (ProblemAdvice).
                log.warn("{} {} (request {}) answered {} {}: {}", exchange.getRequest().getMethod(),
                        exchange.getRequest().getPath(), RequestIds.of(exchange), type.status(), type.slug(),
                        problem.getDetail());
            }
            problem.setDetail(type.publicText());
        }
        return problem;
    }

    @ExceptionHandler(DataBufferLimitException.class)
    public Mono<ResponseEntity<ProblemDetail>> tooLarge(DataBufferLimitException e, ServerWebExchange exchange) {
        return Mono.just(respond(payloadTooLarge(e, exchange)));
    }

    /**
     * Reactor Netty's request timeout (its exception class is not public: known by its name) is
     * the client's slow body; any other channel failure is unexpected.
     */
    @ExceptionHandler(ChannelException.class)
    public Mono<ResponseEntity<ProblemDetail>> channel(ChannelException e, ServerWebExchange exchange) {
        if (e.getClass().getName().equals(REQUEST_TIMEOUT)) {
            return baton(new BodyReadTimeoutException(e), exchange);
        }
        return unexpected(e, exchange);
    }

    @Override
    public Mono<ResponseEntity<Object>> handleServerWebInputException(ServerWebInputException ex, HttpHeaders headers,
                                                                      HttpStatusCode status,
                                                                      ServerWebExchange exchange) {
        DataBufferLimitException limit = cause(ex, DataBufferLimitException.class);
        if (limit != null) {
            return Mono.just(ResponseEntity.status(ProblemType.PAYLOAD_TOO_LARGE.status())
                    .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .body(payloadTooLarge(limit, exchange)));
        }
        String invalidUtf8 = invalidUtf8(ex);
        if (invalidUtf8 != null) {
            ProblemDetail problem = complete(Problems.of(ProblemType.INVALID_UTF8, "the request body is not valid UTF-8 ("
                    + invalidUtf8 + "); JSON must be UTF-8", instance(exchange)), ProblemType.INVALID_UTF8, exchange);
            return Mono.just(ResponseEntity.status(problem.getStatus())
                    .contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem));
        }
        return super.handleServerWebInputException(ex, headers, status, exchange);
    }

    @Override
    protected String defaultDetail(Exception ex, ProblemType type, ServerWebExchange exchange) {
        if (type == ProblemType.PAYLOAD_TOO_LARGE) {
            DataBufferLimitException limit = cause(ex, DataBufferLimitException.class);
            return "the request body is larger than this gateway accepts" + (limit == null ? "" : " (" + limit.getMessage() + ")");
        }
        return super.defaultDetail(ex, type, exchange);
    }

    private ProblemDetail payloadTooLarge(DataBufferLimitException e, ServerWebExchange exchange) {
        return complete(Problems.of(ProblemType.PAYLOAD_TOO_LARGE, "the request body is larger than this gateway accepts ("
                + e.getMessage() + ")", instance(exchange)), ProblemType.PAYLOAD_TOO_LARGE, exchange);
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

    private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable at = e; at != null; at = at.getCause()) {
            if (type.isInstance(at)) {
                return type.cast(at);
            }
        }
        return null;
    }
}
