package io.baton.inference.models;

import io.baton.inference.InferenceProperties;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}}: the loaded models and their state plans. */
@RestController
@RequestMapping("/v1/models")
public class ModelsController {

    private final ModelRegistry registry;
    private final InferenceProperties.Models defaults;

    public ModelsController(ModelRegistry registry, InferenceProperties properties) {
        this.registry = registry;
        this.defaults = properties.models();
    }

    @GetMapping
    public ModelList list() {
        return new ModelList(registry.defaultModel().id(), registry.loaded(defaults.cpuDefault()),
                registry.loaded(defaults.gpuDefault()), registry.all().stream().map(ModelInfo::of).toList());
    }

    /** One model; an unknown id is a 404 problem of type {@code unknown-model}. */
    @GetMapping("/{id}")
    public ModelInfo get(@PathVariable String id) {
        return ModelInfo.of(registry.get(id));
    }
}
