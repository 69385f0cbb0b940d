package io.baton.standalone;

import io.baton.common.testing.DataFiles;
import java.time.Duration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * One standalone application (gateway + inference + memory in this JVM, in-memory store, on a
 * random port) shared by the test classes that need it; loading the zoo's models once keeps the
 * tests quick. Closed when the JVM exits.
 */
final class Standalone {

    /** The model of requests that name none, in these tests: the byte-level tiny fixture. */
    static final String FIXTURE_MODEL = "gemma2-tiny";

    private static ConfigurableApplicationContext context;

    private Standalone() {
    }

    static synchronized ConfigurableApplicationContext context() {
        if (context == null) {
            // The tests check plumbing against the zoo's byte-level fixture (one token per byte), not
            // the trained default model: requests without a model get gemma2-tiny here.
            context = BatonStandalone.application().run("--server.port=0", "--spring.main.banner-mode=off",
                    "--baton.pipeline.concurrency=2", "--baton.models.default-model=" + FIXTURE_MODEL);
            Runtime.getRuntime().addShutdownHook(new Thread(context::close));
        }
        return context;
    }

    static int port() {
        return ((WebServerApplicationContext) context()).getWebServer().getPort();
    }

    /** A test client of the shared application. */
    static WebTestClient client() {
        return client("http://127.0.0.1:" + port());
    }

    /** A test client of a server at {@code baseUrl}: patient, and reading bodies up to 64 MiB. */
    static WebTestClient client(String baseUrl) {
        return WebTestClient.bindToServer().baseUrl(baseUrl)
                .responseTimeout(Duration.ofMinutes(2))
                .codecs(c -> c.defaultCodecs().maxInMemorySize(64 * 1024 * 1024))
                .build();
    }

    /**
     * A document of 5 MB (5,000,000 characters, Moby Dick over and over): what the product is for,
     * and 20 times the body a Spring application reads by default.
     */
    static String fiveMegabytes() {
        String book = DataFiles.mobyDick();
        StringBuilder text = new StringBuilder(5_000_000);
        while (text.length() < 5_000_000) {
            text.append(book, 0, Math.min(book.length(), 5_000_000 - text.length()));
        }
        return text.toString();
    }

    /** A piece of Moby Dick ({@link DataFiles}), ASCII-safe to slice by characters. */
    static String mobyDick(int from, int length) {
        return DataFiles.mobyDick().substring(from, from + length);
    }
}
