package io.baton.memory.api;

import jakarta.validation.constraints.NotNull;

/**
 * Body of {@code POST .../checkpoints/{n}/fork}: the id of the new document (same tenant); its
 * format is checked as every document id is.
 */
public record ForkRequest(@NotNull String to) {
}
