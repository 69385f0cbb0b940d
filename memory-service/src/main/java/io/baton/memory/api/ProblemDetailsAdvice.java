package io.baton.memory.api;

import io.baton.memory.store.CheckpointConflictException;
import io.baton.memory.store.Head;
import io.baton.memory.store.HeadMismatchException;
import io.baton.memory.store.ModelMismatchException;
import io.baton.protocol.problems.BatonException;
import io.baton.protocol.problems.ProblemAdvice;
import java.util.Map;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.server.ServerWebExchange;

/**
 * Every failure of the memory service as an RFC 9457 problem detail, by the one rule of {@link
 * ProblemAdvice} (type and status from the catalogue, the exception's extra members: {@code
 * expectedSegment} on a conflict, {@code reason} on a broken container, {@code key} on bad
 * metadata, {@code limit} on a body too large, {@code used} and {@code quota} over the quota).
 * Here a conflict, a model mismatch and a refused conditional delete also carry the document's {@code head} as {@code GET
 * .../head} answers it. No response ever carries a stack trace.
 */
@RestControllerAdvice
public class ProblemDetailsAdvice extends ProblemAdvice {

    @Override
    protected String serviceName() {
        return "memory service";
    }

    @Override
    protected void addProperties(ProblemDetail problem, BatonException e, ServerWebExchange exchange) {
        if (e instanceof CheckpointConflictException conflict) {
            problem.setProperty("head", head(conflict.head(), exchange));
        } else if (e instanceof ModelMismatchException mismatch) {
            problem.setProperty("head", head(mismatch.head(), exchange));
        } else if (e instanceof HeadMismatchException mismatch) {
            problem.setProperty("head", head(mismatch.head(), exchange));
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
}
