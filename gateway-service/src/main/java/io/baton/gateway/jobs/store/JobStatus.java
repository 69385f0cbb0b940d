package io.baton.gateway.jobs.store;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Where a job is. {@code queued}: no request has started; {@code in_progress}: at least one has;
 * {@code cancelling}: cancelled while requests ran, which stop at their next segment; then
 * {@code cancelled}. {@code expired}: not finished within the retention after it was created, its
 * unfinished requests given up. {@code completed}: every request has a result (some may be
 * errors); {@code failed}: every request failed, none completed.
 */
public enum JobStatus {
    QUEUED, IN_PROGRESS, COMPLETED, CANCELLING, CANCELLED, EXPIRED, FAILED;

    /** The status as the API writes it ({@code in_progress}). */
    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status named {@code wire}. */
    public static JobStatus of(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }

    /** Whether nothing of the job runs or will run again. */
    public boolean finished() {
        return this == COMPLETED || this == CANCELLED || this == EXPIRED || this == FAILED;
    }

    /** Whether the job was stopped (cancelled or expired): no request may start. */
    public boolean stopping() {
        return this == CANCELLING || this == CANCELLED || this == EXPIRED;
    }
}
