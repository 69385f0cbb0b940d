package io.baton.inference.models;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}}: the loaded models and their state plans. */
@RestController
@RequestMapping("/v1/models")
public class ModelsController {

    private final ModelRegistry registry;

    public ModelsController(ModelRegistry registry) {
        this.registry = registry;
    }

    @GetMapping
    public ModelList list() {
        return new ModelList(registry.defaultModel().id(), registry.all().stream().map(ModelInfo::of).toList());
    }

    /** One model; an unknown id is a 404 problem of type {@code unknown-model}. */
    @GetMapping("/{id}")
    public ModelInfo get(@PathVariable String id) {
        return ModelInfo.of(registry.get(id));
    }
}
