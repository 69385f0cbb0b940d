package io.baton.inference.state;

/** Where a checkpoint belongs: tenant, document and segment index. */
public record CheckpointId(String tenant, String document, long segment) {
}
