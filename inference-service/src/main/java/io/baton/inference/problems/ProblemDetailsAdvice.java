package io.baton.inference.problems;

import io.baton.protocol.problems.ProblemAdvice;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Every error of the inference service as an RFC 9457 problem detail, by the one rule of {@link
 * ProblemAdvice}: an {@link io.baton.inference.InferenceException} or a failed call to the memory
 * service ({@link io.baton.protocol.problems.ServiceCallException}, passed on with the memory service's
 * type: a tenant's {@code quota-exceeded} stays a 507) with the catalogue's status and type, the
 * framework's failures, and 500 {@code internal-error} for anything else (logged, its message not
 * shown).
 */
@RestControllerAdvice
public class ProblemDetailsAdvice extends ProblemAdvice {

    @Override
    protected String serviceName() {
        return "inference service";
    }
}
