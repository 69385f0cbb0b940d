package io.baton.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The alert rules of the compose profile ({@code observability/prometheus/alerts.yml}) and of
 * Kubernetes ({@code k8s/base/observability/prometheus-rule.yaml}) are the same groups, and
 * promtool (Debian's {@code prometheus} package) finds the configuration and the rules valid and
 * its unit tests of the alerts ({@code alerts-test.yml}) passing. Without promtool on the PATH the
 * promtool checks are skipped, and reported as skipped.
 */
class AlertRulesTest {

    private static final Path ROOT = root();
    private static final Path PROMETHEUS = ROOT.resolve("observability/prometheus");

    @Test
    @SuppressWarnings("unchecked")
    void thePrometheusRuleHasExactlyTheGroupsOfAlertsYml() throws IOException {
        Map<String, Object> alerts = load(PROMETHEUS.resolve("alerts.yml"));
        Map<String, Object> rule = load(ROOT.resolve("k8s/base/observability/prometheus-rule.yaml"));
        assertThat(rule).containsEntry("apiVersion", "monitoring.coreos.com/v1").containsEntry("kind", "PrometheusRule");
        Object groups = alerts.get("groups");
        assertThat((List<Object>) groups).isNotEmpty();
        assertThat(((Map<String, Object>) rule.get("spec")).get("groups")).isEqualTo(groups);
        Map<String, Object> kustomization = load(ROOT.resolve("k8s/base/observability/kustomization.yaml"));
        assertThat((List<String>) kustomization.get("resources")).containsExactly("prometheus-rule.yaml");
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyAlertHasASeverityAndARunbookSectionInTheDocs() throws IOException {
        String docs = Files.readString(ROOT.resolve("docs/observability.md"));
        List<Map<String, Object>> groups = (List<Map<String, Object>>) load(PROMETHEUS.resolve("alerts.yml")).get("groups");
        for (Map<String, Object> group : groups) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                String alert = (String) rule.get("alert");
                assertThat((Map<String, Object>) rule.get("labels")).as(alert).containsKey("severity");
                String runbook = (String) ((Map<String, Object>) rule.get("annotations")).get("runbook");
                assertThat(runbook).as(alert).isEqualTo("docs/observability.md#" + alert.toLowerCase());
                assertThat(docs).as("a section for %s", alert).contains("### " + alert + "\n");
            }
        }
    }

    @Test
    void promtoolFindsTheConfigurationAndRulesValidAndTheAlertTestsPass() throws Exception {
        // skipped on a workstation without it; in CI (.ci/run installs it) its absence fails
        assertThat(onPath("promtool") || !"true".equals(System.getenv("CI")))
                .as("promtool is on the PATH under CI=true (apt-get install prometheus)").isTrue();
        Assumptions.assumeTrue(onPath("promtool"), "promtool is not on the PATH (apt-get install prometheus)");
        promtool("check", "config", "prometheus.yml");
        promtool("check", "rules", "alerts.yml");
        promtool("test", "rules", "alerts-test.yml");
    }

    private static void promtool(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(PROMETHEUS.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("promtool %s:%n%s", String.join(" ", arguments), output).isZero();
        assertThat(output).contains("SUCCESS");
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        return path != null && List.of(path.split(java.io.File.pathSeparator)).stream()
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    }

    private static Map<String, Object> load(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file)) {
            return new Yaml().load(reader);
        }
    }

    private static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("observability/prometheus"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no observability/prometheus above " + Path.of("").toAbsolutePath());
    }
}
