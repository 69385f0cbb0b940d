package io.baton.evaluation.bpb;

import io.baton.evaluation.EvaluationException;
import io.baton.evaluation.DataDir;
import io.baton.evaluation.runner.EvalDocument;
import io.baton.evaluation.runner.EvalSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The held-out texts bits per byte is measured on; no model is trained on them. */
public enum HeldOutText {

    /** The State of the Union addresses of 2001-2016 ({@code corpus/sotu/2001_*.txt} .. {@code 2016_*.txt}). */
    SOTU("sotu-2001-2016"),
    /** The SQuALITY dev stories (the {@code document} of {@code eval/squality/squality_dev_plot.jsonl}). */
    SQUALITY_DEV("squality-dev");

    private final String label;

    HeldOutText(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The set named {@code sotu} or {@code squality}. */
    public static HeldOutText named(String name) {
        return switch (name.strip()) {
            case "sotu" -> SOTU;
            case "squality" -> SQUALITY_DEV;
            default -> throw new EvaluationException("bad-option", "no held-out set '" + name
                    + "'; the sets are sotu, squality");
        };
    }

    /** The first {@code limit} texts, in order (addresses by year). */
    public List<String> texts(Path dataDir, int limit) {
        if (this == SQUALITY_DEV) {
            return EvalSet.SQUALITY.read(dataDir, limit).stream().map(EvalDocument::text).toList();
        }
        Path dir = DataDir.require(dataDir, "corpus/sotu");
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> held = files.filter(HeldOutText::heldOutAddress).sorted().limit(limit).toList();
            if (held.isEmpty()) {
                throw new EvaluationException("data-missing", "no 2001-2016 addresses in " + dir);
            }
            return held.stream().map(HeldOutText::read).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    static boolean heldOutAddress(Path file) {
        String name = file.getFileName().toString();
        if (!name.matches("\\d{4}_.*\\.txt")) {
            return false;
        }
        int year = Integer.parseInt(name.substring(0, 4));
        return year >= 2001 && year <= 2016;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
