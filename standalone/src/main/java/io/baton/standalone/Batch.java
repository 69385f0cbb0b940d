package io.baton.standalone;

import io.baton.gateway.GatewayProperties;
import io.baton.gateway.jobs.InvalidJobRequestException;
import io.baton.gateway.jobs.JobService;
import io.baton.gateway.jobs.JobView;
import io.baton.gateway.jobs.store.JobCounts;
import io.baton.protocol.problems.BatonException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code ./baton batch FILE.jsonl [--out RESULTS.jsonl]}: a batch job in the standalone application
 * without a web server. The file is exactly what {@code POST /v1/jobs} takes as NDJSON (one request
 * a line), submitted through {@link JobService}, so it is checked by the API's own rules before
 * anything runs: a malformed file is refused with the message of the line at fault.
 *
 * <p>Each result line is written to the output (default {@code FILE.results.jsonl} next to the
 * input, {@code FILE}'s {@code .jsonl} or {@code .ndjson} replaced; {@code --out -} for stdout) as
 * soon as its request finished, and flushed, in the order they finished. Progress goes to stderr
 * (a bar redrawn with carriage returns when {@code -Dbaton.progress=tty}, which {@code ./baton}
 * sets when stderr is a terminal; a plain line per tenth otherwise), then one summary line.
 *
 * <p>Exit status 0 when every request completed, 1 when some failed or were cancelled (their lines
 * hold the problem), 2 for bad arguments or an unreadable or malformed file. Ctrl-C (or SIGTERM)
 * cancels the job: no request starts after it, running ones stop at their next segment, and their
 * lines ({@code job-cancelled}) are written before the JVM exits (status 130 for Ctrl-C), within
 * {@link #CANCEL_WAIT}.
 */
public final class Batch {

    static final String USAGE = "usage: baton batch FILE.jsonl [--out RESULTS.jsonl | --out -]";
    /** How often the job and its new results are read. */
    static final Duration POLL = Duration.ofMillis(250);
    /** How long an interrupted run waits for the running requests to stop. */
    static final Duration CANCEL_WAIT = Duration.ofSeconds(30);
    private final ProgressBar bar;

    private Batch(ProgressBar bar) {
        this.bar = bar;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        Arguments arguments;
        String body;
        try {
            arguments = Arguments.of(args);
            body = read(arguments.input());
        } catch (IllegalArgumentException e) {
            System.err.println("baton batch: " + e.getMessage());
            System.err.println(USAGE);
            return 2;
        } catch (IOException e) {
            System.err.println("baton batch: cannot read " + args[0] + ": " + e.getMessage());
            return 2;
        }
        // stdout carries the results only (with --out -): the log and anything else go to stderr.
        PrintStream stdout = System.out;
        System.setOut(System.err);
        SpringApplication application = BatonStandalone.application();
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setLogStartupInfo(false);
        // Our hook cancels the job and lets the results be written before the context closes.
        application.setRegisterShutdownHook(false);
        CountDownLatch done = new CountDownLatch(1);
        try (ConfigurableApplicationContext context = application.run("--spring.main.banner-mode=off",
                "--logging.level.root=WARN", "--logging.level.ai.djl=ERROR")) {
            JobService jobs = context.getBean(JobService.class);
            String tenant = context.getBean(GatewayProperties.class).access().tenant();
            JobView job;
            try {
                job = jobs.submitLines(tenant, body, null, null, null).block().job();
            } catch (InvalidJobRequestException e) {
                System.err.println("baton batch: " + arguments.input() + ": " + e.getMessage() + " ("
                        + e.type().slug() + ")");
                return 2;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> cancel(jobs, tenant, job.id(), arguments, done),
                    "baton-batch-cancel"));
            try (Writer out = arguments.open(stdout)) {
                return new Batch(ProgressBar.onStderr())
                        .follow(jobs, tenant, job, out, arguments);
            } catch (IOException e) {
                System.err.println("baton batch: cannot write " + arguments.outName() + ": " + e.getMessage());
                jobs.cancel(tenant, job.id()).block();
                return 2;
            }
        } catch (BatonException e) {
            System.err.println();
            System.err.println("baton batch: " + e.getMessage() + " (" + e.type().slug() + ")");
            return 1;
        } finally {
            done.countDown();
        }
    }

    /**
     * Writes each new result line as it arrives and shows progress until the job finished; then
     * the summary line. The job is read before its results, so when it is seen finished every
     * result is there.
     */
    private int follow(JobService jobs, String tenant, JobView submitted, Writer out, Arguments arguments)
            throws IOException {
        long start = System.nanoTime();
        int written = 0;
        JobView job = submitted;
        while (true) {
            job = jobs.find(tenant, job.id()).block();
            List<String> lines = jobs.results(tenant, job.id()).skip(written).collectList().block();
            for (String line : lines) {
                out.write(line);
                out.flush();
            }
            written += lines.size();
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            show(job.counts(), elapsedMs);
            if (job.status().finished()) {
                bar.finish();
                JobCounts counts = job.counts();
                System.err.printf(Locale.ROOT, "baton batch: %d requests: %d completed, %d failed, %d cancelled in %s; "
                                + "results in %s%n", counts.total(), counts.completed(), counts.failed(),
                        counts.cancelled(), duration(elapsedMs), arguments.outName());
                return counts.completed() == counts.total() ? 0 : 1;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while following job " + job.id(), e);
            }
        }
    }

    /**
     * The shutdown hook: a job still running is cancelled, and the hook waits (a bounded while) for
     * {@link #follow} to write the last results and the context to close. After a normal end it
     * has nothing to do.
     */
    private static void cancel(JobService jobs, String tenant, String id, Arguments arguments, CountDownLatch done) {
        if (done.getCount() == 0) {
            return;
        }
        System.err.println();
        System.err.println("baton batch: interrupted; cancelling the job (the results so far are in "
                + arguments.outName() + ")");
        try {
            jobs.cancel(tenant, id).block(CANCEL_WAIT);
            if (!done.await(CANCEL_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                System.err.println("baton batch: the running requests did not stop within " + CANCEL_WAIT.toSeconds()
                        + " s; their results are missing from " + arguments.outName());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            System.err.println("baton batch: cancelling the job failed: " + e.getMessage());
        }
    }

    private void show(JobCounts counts, long elapsedMs) {
        int finished = counts.finished();
        double fraction = counts.total() == 0 ? 1 : (double) finished / counts.total();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%d/%d done  %d failed", finished,
                counts.total(), counts.failed()));
        if (counts.cancelled() > 0) {
            line.append("  ").append(counts.cancelled()).append(" cancelled");
        }
        line.append("  ").append(duration(elapsedMs));
        if (finished > 0 && finished < counts.total() && counts.cancelled() == 0) {
            long etaMs = elapsedMs * (counts.total() - finished) / finished;
            line.append("  ETA ~").append(duration(etaMs));
        }
        bar.show(fraction, line);
    }

    /** {@code 4.2s}, {@code 3m05s}, {@code 1h02m}. */
    static String duration(long ms) {
        long s = ms / 1000;
        if (s < 60) {
            return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
    }

    private static String read(Path file) throws IOException {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("not UTF-8 text", e);
        }
    }

    /**
     * The command line.
     *
     * @param input the requests
     * @param out   where the results go; null for stdout
     */
    record Arguments(Path input, Path out) {

        static Arguments of(String[] args) {
            if (args.length == 0) {
                throw new IllegalArgumentException("no FILE given");
            }
            Path input = Path.of(args[0]).toAbsolutePath();
            Path out = defaultOut(input);
            for (int i = 1; i < args.length; i++) {
                if (!args[i].equals("--out")) {
                    throw new IllegalArgumentException("unknown option " + args[i]);
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--out needs a value (a file, or - for stdout)");
                }
                String value = args[++i];
                out = value.equals("-") ? null : Path.of(value).toAbsolutePath();
            }
            if (out != null) {
                if (out.normalize().equals(input.normalize())) {
                    throw new IllegalArgumentException("--out names the input file " + input);
                }
                if (!Files.isDirectory(out.getParent())) {
                    throw new IllegalArgumentException("no such folder for the results: " + out.getParent());
                }
            }
            return new Arguments(input, out);
        }

        /** {@code jobs.jsonl} and {@code jobs.ndjson} give {@code jobs.results.jsonl}; {@code jobs} too. */
        static Path defaultOut(Path input) {
            String name = input.getFileName().toString();
            String stem = name.replaceFirst("\\.(jsonl|ndjson)$", "");
            return input.resolveSibling(stem + ".results.jsonl");
        }

        String outName() {
            return out == null ? "stdout" : out.toString();
        }

        /** The output, created or emptied; {@code stdout} is left open. */
        Writer open(PrintStream stdout) throws IOException {
            if (out == null) {
                return new OutputStreamWriter(new NonClosing(stdout), StandardCharsets.UTF_8);
            }
            return Files.newBufferedWriter(out, StandardCharsets.UTF_8);
        }
    }

    /** stdout, flushed but not closed with the writer around it. */
    private static final class NonClosing extends OutputStream {

        private final PrintStream stream;

        NonClosing(PrintStream stream) {
            this.stream = stream;
        }

        @Override
        public void write(int b) {
            stream.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            stream.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            stream.flush();
            if (stream.checkError()) {
                throw new IOException("stdout is closed");
            }
        }
    }
}
