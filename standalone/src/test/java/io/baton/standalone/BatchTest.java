package io.baton.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line of {@code ./baton batch}: where results go, what is refused, how times read. */
class BatchTest {

    @Test
    void resultsGoNextToTheInputUnlessOutSaysOtherwise(@TempDir Path folder) {
        assertThat(Batch.Arguments.of(new String[] {folder.resolve("jobs.jsonl").toString()}).out())
                .isEqualTo(folder.resolve("jobs.results.jsonl"));
        assertThat(Batch.Arguments.of(new String[] {folder.resolve("jobs.ndjson").toString()}).out())
                .isEqualTo(folder.resolve("jobs.results.jsonl"));
        assertThat(Batch.Arguments.of(new String[] {folder.resolve("jobs").toString()}).out())
                .isEqualTo(folder.resolve("jobs.results.jsonl"));
        assertThat(Batch.Arguments.of(new String[] {folder.resolve("jobs.jsonl").toString(), "--out",
                folder.resolve("r.jsonl").toString()}).out()).isEqualTo(folder.resolve("r.jsonl"));
        Batch.Arguments stdout = Batch.Arguments.of(new String[] {"jobs.jsonl", "--out", "-"});
        assertThat(stdout.out()).isNull();
        assertThat(stdout.outName()).isEqualTo("stdout");
    }

    @Test
    void refusesWhatCannotWork(@TempDir Path folder) {
        String input = folder.resolve("jobs.jsonl").toString();
        assertThatThrownBy(() -> Batch.Arguments.of(new String[0])).hasMessage("no FILE given");
        assertThatThrownBy(() -> Batch.Arguments.of(new String[] {input, "--model", "m"}))
                .hasMessage("unknown option --model");
        assertThatThrownBy(() -> Batch.Arguments.of(new String[] {input, "--out"})).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> Batch.Arguments.of(new String[] {input, "--out", input}))
                .hasMessageContaining("names the input file");
        assertThatThrownBy(() -> Batch.Arguments.of(new String[] {input, "--out",
                folder.resolve("missing/r.jsonl").toString()})).hasMessageContaining("no such folder");
    }

    @Test
    void durationsReadAsSecondsMinutesOrHours() {
        assertThat(Batch.duration(4_230)).isEqualTo("4.2s");
        assertThat(Batch.duration(185_000)).isEqualTo("3m05s");
        assertThat(Batch.duration(3_720_000)).isEqualTo("1h02m");
    }
}
