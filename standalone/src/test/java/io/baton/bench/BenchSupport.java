package io.baton.bench;

import io.baton.standalone.BatonStandalone;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

/** What the gateway benchmarks share: documents of a given size, the standalone application, medians. */
final class BenchSupport {

    private BenchSupport() {
    }

    /**
     * The longest prefix of {@code text} with at most {@code tokens} UTF-8 bytes, i.e. that many
     * tokens for the zoo's byte-level tokenizers, never ending inside a surrogate pair.
     */
    static String prefix(String text, long tokens) {
        long bytes = 0;
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + size > tokens) {
                break;
            }
            bytes += size;
            i += Character.charCount(cp);
        }
        if (bytes < tokens) {
            throw new IllegalArgumentException("the text has only " + bytes + " UTF-8 bytes, " + tokens + " wanted");
        }
        return text.substring(0, i);
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The standalone application in this JVM without a web server, as {@code ./baton summarize}
     * runs it (in-memory state store), plus {@code extra} arguments.
     */
    static ConfigurableApplicationContext standalone(String... extra) {
        SpringApplication application = BatonStandalone.application();
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setLogStartupInfo(false);
        List<String> args = new ArrayList<>(List.of("--spring.main.banner-mode=off", "--logging.level.root=WARN",
                "--logging.level.ai.djl=ERROR"));
        args.addAll(Arrays.asList(extra));
        return application.run(args.toArray(String[]::new));
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
