package io.baton.gateway.jobs.store;

/** What became of a segment's answer a worker recorded. */
public enum Recorded {
    /** Kept, and the worker's lease renewed: it goes on. */
    KEPT,
    /** Kept, but the job was cancelled or expired: the worker stops and finishes the request as cancelled. */
    STOPPING,
    /** Not kept: the worker lost its lease (or the job is gone); it stops at once. */
    LOST
}
