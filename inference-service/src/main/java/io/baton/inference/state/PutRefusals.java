package io.baton.inference.state;

import io.baton.protocol.problems.ServiceCallException;

/**
 * What a refused put of checkpoint n means to inference. The memory client passes the memory
 * service's answer on as it is (over HTTP and in-process alike); three of them are about the
 * segment inference is running and become its own failures: {@code checkpoint-conflict} (another
 * writer was first: {@link SegmentOrderException#conflict}, naming the segment expected next),
 * {@code model-mismatch} (the document holds another model's state: {@link
 * StateMismatchException}) and {@code parent-mismatch} (the state this instance continued from is
 * not the kept one: {@link StaleParentException}, upon which the segment runs again from the kept
 * checkpoint). Any other answer (a tenant's quota, the store unavailable) passes through.
 */
public final class PutRefusals {

    private PutRefusals() {
    }

    /** The failure inference reports for the refused put of checkpoint {@code segment} of {@code document}. */
    public static RuntimeException of(ServiceCallException refusal, String document, long segment) {
        return switch (refusal.type()) {
            case CHECKPOINT_CONFLICT -> SegmentOrderException.conflict(document, segment, refusal.expectedSegment());
            case MODEL_MISMATCH -> new StateMismatchException(refusal.getMessage());
            case PARENT_MISMATCH -> new StaleParentException(refusal.getMessage());
            default -> refusal;
        };
    }
}
