package io.baton.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./baton summarize} as a user runs it ({@link Launcher}): the standalone application
 * without a web server starts (it once failed to, on a bean only a server needs), shows progress
 * on stderr and prints the picked sentences on stdout.
 */
class SummarizeIT {

    @Test
    void summarizesATextFile(@TempDir Path folder) throws Exception {
        String story = Standalone.mobyDick(300_000, 3_000);
        Files.writeString(folder.resolve("story.txt"), story);

        Launcher.Run run = Launcher.run(folder, "summarize", "story.txt", "--sentences", "2");

        assertThat(run.exit()).as(run.stderr()).isZero();
        assertThat(run.stderr()).contains("segment 1 of", "tokens/s");
        String[] sentences = run.stdout().strip().split("\n\n");
        assertThat(sentences).hasSize(2);
        String flat = story.replaceAll("\\s+", " ");
        assertThat(sentences).allSatisfy(sentence -> assertThat(flat).contains(sentence));
    }
}
