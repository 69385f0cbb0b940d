package io.baton.common.testing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * One scrape of a service's {@code /actuator/prometheus} (Prometheus text format), read back by
 * metric name and labels: the end-to-end tests' checks of the meters and the benches' before/after
 * differences.
 */
public record Meters(List<String> lines) {

    /** A scrape's body may pass WebClient's default limit of 256 KiB (one histogram is ~100 lines). */
    public static final int MAX_SCRAPE_BYTES = 4 * 1024 * 1024;

    public static WebClient client(String baseUrl) {
        return WebClient.builder().baseUrl(baseUrl)
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(MAX_SCRAPE_BYTES)).build();
    }

    public static Meters scrape(String baseUrl) {
        String text = client(baseUrl).get().uri("/actuator/prometheus").retrieve().bodyToMono(String.class)
                .block(Duration.ofSeconds(10));
        return new Meters(text.lines().filter(line -> !line.startsWith("#") && !line.isBlank()).toList());
    }

    /**
     * The lines of a scrape in the OpenMetrics format (as Prometheus asks for it) that carry an
     * exemplar ({@code ... # {trace_id=...} ...}).
     */
    public static List<String> exemplarLines(String baseUrl) {
        String text = client(baseUrl).get().uri("/actuator/prometheus")
                .header("Accept", "application/openmetrics-text;version=1.0.0").retrieve().bodyToMono(String.class)
                .block(Duration.ofSeconds(10));
        return text.lines().filter(line -> !line.startsWith("#") && line.contains(" # {")).toList();
    }

    /** The sum of the samples of {@code name} whose labels include {@code labels} (name, value, ...); 0 when none. */
    public double value(String name, String... labels) {
        double sum = 0;
        for (String line : lines) {
            int space = line.lastIndexOf(' ');
            String series = line.substring(0, space);
            int brace = series.indexOf('{');
            String metric = brace < 0 ? series : series.substring(0, brace);
            if (metric.equals(name) && matches(brace < 0 ? Map.of() : parse(series.substring(brace + 1, series.length() - 1)), labels)) {
                sum += Double.parseDouble(line.substring(space + 1));
            }
        }
        return sum;
    }

    /** The names of the series (histograms' {@code _bucket}, {@code _count}, {@code _sum} each). */
    public Set<String> names() {
        Set<String> names = new TreeSet<>();
        for (String line : lines) {
            int end = line.indexOf('{');
            names.add(line.substring(0, end < 0 ? line.indexOf(' ') : end));
        }
        return names;
    }

    /** The names of the labels of all series. */
    public Set<String> labelNames() {
        Set<String> names = new TreeSet<>();
        for (String line : lines) {
            int brace = line.indexOf('{');
            if (brace >= 0) {
                names.addAll(parse(line.substring(brace + 1, line.lastIndexOf('}'))).keySet());
            }
        }
        return names;
    }

    /** {@code value} now less its value in {@code before}. */
    public double minus(Meters before, String name, String... labels) {
        return value(name, labels) - before.value(name, labels);
    }

    private static boolean matches(Map<String, String> have, String... labels) {
        for (int i = 0; i < labels.length; i += 2) {
            if (!labels[i + 1].equals(have.get(labels[i]))) {
                return false;
            }
        }
        return true;
    }

    /** {@code a="x",b="y"} (values without quotes or commas inside, as these meters have). */
    private static Map<String, String> parse(String labels) {
        Map<String, String> parsed = new TreeMap<>();
        for (String pair : labels.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                parsed.put(pair.substring(0, eq).strip(), pair.substring(eq + 2, pair.length() - 1));
            }
        }
        return parsed;
    }
}
