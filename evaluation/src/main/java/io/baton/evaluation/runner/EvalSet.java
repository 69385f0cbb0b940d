package io.baton.evaluation.runner;

import io.baton.evaluation.EvaluationException;
import io.baton.evaluation.DataDir;
import io.baton.evaluation.baselines.DocumentSentences;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The evaluation sets under {@code data/eval}: JSON lines, one document each. */
public enum EvalSet {

    /** SQuALITY v1.3 dev: 25 stories of about 5,000 words, 4 plot summaries each ({@code references}). */
    SQUALITY("squality", "eval/squality/squality_dev_plot.jsonl", "references"),
    /** QMSum val, general query: 35 meetings of about 10,400 words, one summary each ({@code summary}). */
    QMSUM("qmsum", "eval/qmsum/qmsum_val_general.jsonl", "summary"),
    /**
     * SQuALITY v1.3 train: 50 stories, 4 plot summaries each; for training a selector (issue 17), never
     * for the tables. Not in the repository's {@code data/}: {@code --data} the shared data folder.
     */
    SQUALITY_TRAIN("squality-train", "eval/squality/squality_train_plot.jsonl", "references"),
    /** QMSum train, general query: 162 meetings, one summary each; like {@link #SQUALITY_TRAIN}. */
    QMSUM_TRAIN("qmsum-train", "eval/qmsum/qmsum_train_general.jsonl", "summary");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String label;
    private final String file;
    private final String referenceField;

    EvalSet(String label, String file, String referenceField) {
        this.label = label;
        this.file = file;
        this.referenceField = referenceField;
    }

    public String label() {
        return label;
    }

    /** The set named {@code label} ({@code squality}, {@code qmsum}, {@code squality-train}, {@code qmsum-train}). */
    public static EvalSet named(String label) {
        for (EvalSet set : values()) {
            if (set.label.equals(label.strip())) {
                return set;
            }
        }
        throw new EvaluationException("bad-option", "no evaluation set '" + label + "'; the sets are "
                + String.join(", ", Arrays.stream(values()).map(EvalSet::label).toList()));
    }

    /** The first {@code limit} documents of the set, in file order. */
    public List<EvalDocument> read(Path dataDir, int limit) {
        Path path = DataDir.require(dataDir, file);
        List<EvalDocument> documents = new ArrayList<>();
        try (BufferedReader lines = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            for (String line = lines.readLine(); line != null && documents.size() < limit; line = lines.readLine()) {
                if (!line.isBlank()) {
                    documents.add(document(JSON.readTree(line)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
        return documents;
    }

    private EvalDocument document(JsonNode row) {
        JsonNode references = row.get(referenceField);
        List<String> texts = new ArrayList<>();
        if (references.isArray()) {
            references.forEach(r -> texts.add(r.asString()));
        } else {
            texts.add(references.asString());
        }
        return new EvalDocument(row.get("id").asString(), row.get("document").asString(), texts);
    }

    /** The mean length of the set's reference summaries in words (the gateway's count), rounded: the default budget. */
    public static int meanReferenceWords(List<EvalDocument> documents) {
        return (int) Math.round(documents.stream().flatMap(d -> d.references().stream())
                .mapToInt(DocumentSentences::words).average().orElse(100));
    }
}
