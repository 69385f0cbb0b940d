package io.baton.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of the suite's own, on a free port with its data in a temporary folder,
 * so a run counts exactly its own keys and may crash and restart Redis without touching the
 * machine's (port 6379, shared with other tests). With {@code appendonly} it persists every write
 * to an append-only file fsynced once a second ({@code appendfsync everysec}, the setting
 * docs/reliability.md recommends); without it, nothing survives a restart.
 */
public final class PrivateRedis implements AutoCloseable {

    private final int port;
    private boolean appendOnly;
    private Path dir;
    private Process process;

    private PrivateRedis(boolean appendOnly, Path dir) {
        this.port = Node.freePort();
        this.appendOnly = appendOnly;
        this.dir = dir;
    }

    /** Starts a server (AOF everysec when {@code appendOnly}, else no persistence) and waits until it answers. */
    public static PrivateRedis start(boolean appendOnly, Path logs) {
        try {
            PrivateRedis redis = new PrivateRedis(appendOnly,
                    Files.createTempDirectory(logs.toAbsolutePath(), "redis-"));
            redis.launch();
            return redis;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch() {
        List<String> command = new ArrayList<>(List.of(System.getProperty("baton.redis.server", "redis-server"),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", "",
                "--daemonize", "no", "--logfile", dir.resolve("redis.log").toString()));
        if (appendOnly) {
            command.addAll(List.of("--appendonly", "yes", "--appendfsync", "everysec"));
        } else {
            command.addAll(List.of("--appendonly", "no"));
        }
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.out").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("starting redis-server (is it installed?)", e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited: see " + dir.resolve("redis.log"));
            }
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.getOutputStream().write("PING\r\n".getBytes());
                byte[] answer = new byte[7];
                int n = socket.getInputStream().read(answer);
                // While it loads its append-only file Redis answers -LOADING; only +PONG means ready.
                if (n > 0 && answer[0] == '+') {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            sleep(100);
        }
        throw new IllegalStateException("redis-server on port " + port + " did not answer in 30 s");
    }

    /** SIGKILL, as a crash (or a host losing the process), then a fresh server on the same port and folder. */
    void crashAndRestart() {
        kill();
        launch();
    }

    /**
     * SIGKILL, then a fresh server on the same port with nothing: what a restart of a Redis without
     * persistence gives (from now on without persistence).
     */
    void crashAndRestartEmpty() {
        kill();
        try {
            dir = Files.createTempDirectory(dir.getParent(), "redis-empty-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        appendOnly = false;
        launch();
    }

    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        kill();
    }
}
