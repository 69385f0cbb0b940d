package io.baton.evaluation.runner;

import java.util.List;

/**
 * One document of an evaluation set with its human-written summaries.
 *
 * @param id         the set's id of the document
 * @param text       the document
 * @param references one or more reference summaries
 */
public record EvalDocument(String id, String text, List<String> references) {

    public EvalDocument {
        references = List.copyOf(references);
        if (references.isEmpty()) {
            throw new IllegalArgumentException("document " + id + " has no reference summary");
        }
    }
}
