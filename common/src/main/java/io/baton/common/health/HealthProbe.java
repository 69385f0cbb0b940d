package io.baton.common.health;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;

/**
 * A container's health check without a shell or curl in the image: {@code java -cp /app/app.jar
 * io.baton.common.health.HealthProbe URL} exits 0 when {@code GET URL} answers 2xx within the
 * timeout, 1 otherwise (connection refused, timeout, any other status), with one line on stderr
 * saying why. A URL that is only a path ({@code /actuator/health/readiness}) means this
 * container's own service, {@code http://127.0.0.1:$SERVER_PORT} (8080 without it): a
 * Dockerfile's exec-form {@code HEALTHCHECK} cannot expand variables, so one line serves every
 * image. Plain JDK: it loads nothing of the service.
 */
public final class HealthProbe {

    private static final int TIMEOUT_MS = 3_000;

    private HealthProbe() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: HealthProbe URL");
            System.exit(2);
        }
        System.exit(check(url(args[0], System.getenv("SERVER_PORT"))) ? 0 : 1);
    }

    /** The URL to check: {@code target} itself, or for a bare path the local service's port. */
    static String url(String target, String serverPort) {
        if (!target.startsWith("/")) {
            return target;
        }
        String port = serverPort == null || serverPort.isBlank() ? "8080" : serverPort.trim();
        return "http://127.0.0.1:" + port + target;
    }

    /** True when {@code GET url} answers a 2xx status within the timeout. */
    static boolean check(String url) {
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
            connection.setConnectTimeout(TIMEOUT_MS);
            connection.setReadTimeout(TIMEOUT_MS);
            int status = connection.getResponseCode();
            try (InputStream body = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                if (body != null) {
                    body.readAllBytes();
                }
            }
            if (status / 100 == 2) {
                return true;
            }
            System.err.println("unhealthy: " + url + " answered " + status);
            return false;
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("unhealthy: " + url + ": " + e);
            return false;
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }
}
