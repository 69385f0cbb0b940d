package io.baton.inference.models;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state of one or more documents between segments: how many tokens each has consumed, and
 * every state tensor by its {@code past*} input name (batch axis first).
 */
public record DocumentState(long tokens, Map<String, FloatTensor> tensors) {

    public DocumentState {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }
}
