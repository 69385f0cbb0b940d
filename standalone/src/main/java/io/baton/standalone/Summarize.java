package io.baton.standalone;

import io.baton.protocol.problems.BatonException;
import io.baton.gateway.GatewayProperties;
import io.baton.gateway.pipeline.SegmentProgress;
import io.baton.gateway.summarize.SummaryEvent;
import io.baton.gateway.summarize.SummaryRequest;
import io.baton.gateway.summarize.SummaryResponse;
import io.baton.gateway.summarize.SummaryService;
import io.baton.inference.InferenceProperties;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code ./baton summarize FILE [--sentences N | --words N] [--model M]}: the standalone
 * application without a web server, one summary, then exit. Progress goes to stderr (a bar
 * redrawn with carriage returns when {@code -Dbaton.progress=tty}, which {@code ./baton} sets when
 * stderr is a terminal; a plain line per tenth otherwise); the summary goes to stdout. Exit status
 * 0 on success, 1 when the summary failed, 2 for bad arguments or an unreadable file.
 */
public final class Summarize {

    private final ProgressBar bar;

    private Summarize(ProgressBar bar) {
        this.bar = bar;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        SummaryRequest request;
        try {
            request = request(args);
        } catch (IllegalArgumentException e) {
            System.err.println("baton summarize: " + e.getMessage());
            System.err.println("usage: baton summarize FILE [--sentences N | --words N] [--model M]");
            return 2;
        } catch (IOException e) {
            System.err.println("baton summarize: cannot read " + args[0] + ": " + e.getMessage());
            return 2;
        }
        // One summary, one model: without --model only the default is loaded (BATON_MODELS_LOAD overrides).
        SpringApplication application = BatonStandalone.application(request.model() == null
                ? Map.of("baton.models.load", InferenceProperties.Models.LOAD_DEFAULT) : Map.of());
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setLogStartupInfo(false);
        try (ConfigurableApplicationContext context = application.run("--spring.main.banner-mode=off",
                "--logging.level.root=WARN", "--logging.level.ai.djl=ERROR")) {
            Summarize progress = new Summarize(ProgressBar.onStderr());
            SummaryEvent last = context.getBean(SummaryService.class)
                    .summarize(context.getBean(GatewayProperties.class).access().tenant(), request)
                    .doOnNext(event -> {
                        if (event instanceof SummaryEvent.Progress p) {
                            progress.show(p.progress());
                        }
                    })
                    .blockLast();
            progress.bar.finish();
            print(((SummaryEvent.Done) last).summary());
            return 0;
        } catch (BatonException e) {
            System.err.println();
            System.err.println("baton summarize: " + e.getMessage() + " (" + e.type().slug() + ")");
            return 1;
        }
    }

    private static SummaryRequest request(String[] args) throws IOException {
        if (args.length == 0) {
            throw new IllegalArgumentException("no FILE given");
        }
        String model = null;
        Integer sentences = null;
        Integer words = null;
        for (int i = 1; i < args.length; i++) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            String value = args[++i];
            switch (args[i - 1]) {
                case "--model" -> model = value;
                case "--sentences" -> sentences = positive("--sentences", value);
                case "--words" -> words = positive("--words", value);
                default -> throw new IllegalArgumentException("unknown option " + args[i - 1]);
            }
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(Path.of(args[0]))))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IOException("not UTF-8 text", e);
        }
        return new SummaryRequest(text, model, SummaryRequest.EXTRACTIVE, sentences, words);
    }

    private static int positive(String option, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a positive number, got '" + value + "'");
    }

    private void show(SegmentProgress p) {
        double fraction = p.fraction();
        String line = String.format(Locale.ROOT, "%3.0f%% segment %d of %s%d  %,d tokens  %,.0f tokens/s  %.1fs",
                fraction * 100, p.segment(), p.estimated() ? "~" : "", p.segments(), p.tokens(), p.tokensPerSecond(),
                p.elapsedMs() / 1000.0);
        bar.show(fraction, line);
    }

    private static void print(SummaryResponse summary) {
        for (SummaryResponse.Sentence sentence : summary.sentences()) {
            System.out.println(sentence.text().replaceAll("\\s+", " "));
            System.out.println();
        }
        SummaryResponse.Stats stats = summary.stats();
        System.err.printf(Locale.ROOT, "%,d tokens in %d segments, %.1f s, %,.0f tokens/s%n", stats.tokens(),
                stats.segments(), stats.ms() / 1000.0, stats.tokensPerSecond());
    }
}
