package io.baton.gateway.summarize;

import io.baton.gateway.InvalidRequestException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The learned selectors ({@link LearnedRelevance}) of the models in a models folder, each read on
 * first use and kept, and which one a summary uses under {@code baton.summaries.selector}.
 */
final class LearnedSelectors {

    private final Path dir;
    private final String setting;
    private final ConcurrentMap<String, Optional<LearnedRelevance>> loaded = new ConcurrentHashMap<>();

    /**
     * @param dir     the models folder (each model's folder is named by its id)
     * @param setting {@code auto}, {@code learned} or {@code centrality}
     */
    LearnedSelectors(Path dir, String setting) {
        this.dir = dir;
        this.setting = setting;
    }

    /**
     * The learned relevance a summary with model {@code model} (a resolved id) uses, or null for
     * the centrality mix.
     *
     * @throws InvalidRequestException when the setting is {@code learned} and the model has none
     */
    LearnedRelevance of(String model) {
        if ("centrality".equals(setting)) {
            return null;
        }
        LearnedRelevance learned = loaded.computeIfAbsent(model,
                id -> Optional.ofNullable(LearnedRelevance.load(dir.resolve(id)))).orElse(null);
        if (learned == null && "learned".equals(setting)) {
            throw new InvalidRequestException("model '" + model + "' has no learned selector ("
                    + LearnedRelevance.FILE_NAME + "), and this gateway summarizes only with one"
                    + " (baton.summaries.selector=learned)");
        }
        return learned;
    }
}
