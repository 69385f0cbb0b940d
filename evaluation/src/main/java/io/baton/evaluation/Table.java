package io.baton.evaluation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** A results table, written as Markdown (for stdout and docs) and as CSV. */
public final class Table {

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... header) {
        this.header = List.of(header);
    }

    /** Adds a row; it has as many cells as the header. */
    public Table row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException(cells.length + " cells for " + header.size() + " columns");
        }
        rows.add(Arrays.stream(cells).map(String::valueOf).toList());
        return this;
    }

    /** The rows so far, each a list of its cells as written. */
    public List<List<String>> rows() {
        return List.copyOf(rows);
    }

    public String markdown() {
        StringBuilder out = new StringBuilder();
        out.append(line(header)).append('\n');
        out.append(line(header.stream().map(h -> "---").toList())).append('\n');
        rows.forEach(row -> out.append(line(row)).append('\n'));
        return out.toString();
    }

    public String csv() {
        StringBuilder out = new StringBuilder();
        out.append(csvLine(header)).append('\n');
        rows.forEach(row -> out.append(csvLine(row)).append('\n'));
        return out.toString();
    }

    /** Writes {@code <name>.md} (with {@code preface} above the table) and {@code <name>.csv} into {@code dir}. */
    public void write(Path dir, String name, String preface) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(name + ".md"), preface + "\n\n" + markdown(), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(name + ".csv"), csv(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(name) + ".{md,csv}", e);
        }
    }

    private static String line(List<String> cells) {
        return "| " + String.join(" | ", cells) + " |";
    }

    private static String csvLine(List<String> cells) {
        return cells.stream().map(c -> c.contains(",") || c.contains("\"") ? "\"" + c.replace("\"", "\"\"") + "\"" : c)
                .collect(Collectors.joining(","));
    }
}
