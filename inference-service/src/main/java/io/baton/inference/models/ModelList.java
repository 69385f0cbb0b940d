package io.baton.inference.models;

import java.util.List;

/**
 * The answer of {@code GET /v1/models}.
 *
 * @param defaultModel the model a request without one gets
 * @param cpuDefault   the model recommended for inference on CPUs (fast enough for a summary on a
 *                     laptop), or null where this service has not loaded it
 * @param gpuDefault   the model recommended for inference on a GPU, or null where not loaded
 * @param models       every loaded model, by id
 */
public record ModelList(String defaultModel, String cpuDefault, String gpuDefault, List<ModelInfo> models) {
}
