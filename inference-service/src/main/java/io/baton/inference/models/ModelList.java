package io.baton.inference.models;

import java.util.List;

/** The answer of {@code GET /v1/models}: the default model's id and every loaded model, by id. */
public record ModelList(String defaultModel, List<ModelInfo> models) {
}
