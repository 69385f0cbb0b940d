package io.baton.reliability;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads every service's resident memory ({@code VmRSS}) once a second on a daemon thread and keeps
 * each one's largest value, by service name (a restarted service keeps its name).
 */
final class RssSampler implements AutoCloseable {

    private final List<Node> nodes;
    private final Map<String, Long> max = new LinkedHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    RssSampler(List<Node> nodes) {
        this.nodes = List.copyOf(nodes);
        nodes.forEach(node -> max.put(node.name(), 0L));
        thread = new Thread(this::sample, "rss-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void sample() {
        while (running) {
            for (Node node : nodes) {
                long rss = node.rssBytes();
                synchronized (max) {
                    max.merge(node.name(), rss, Math::max);
                }
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The largest resident set size seen per service, in bytes. */
    Map<String, Long> max() {
        synchronized (max) {
            return new LinkedHashMap<>(max);
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
