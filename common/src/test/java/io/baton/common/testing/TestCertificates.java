package io.baton.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.jks.JksSslStoreBundle;
import org.springframework.boot.ssl.jks.JksSslStoreDetails;

/**
 * A certificate authority made for one test, and keys it signed, in PKCS12 files in a temporary
 * folder (the JDK's {@code keytool}, run as a process: no library of certificates needed):
 *
 * <ul>
 *   <li>{@code server.p12}: the key {@code server}, whose certificate names {@code 127.0.0.1}
 *       and {@code localhost}, and the CA as a trusted entry;
 *   <li>{@code client.p12}: the key {@code client} (a client certificate), and the CA;
 *   <li>{@code stranger.p12}: the key {@code stranger}, self-signed (no CA vouches for it), and
 *       the CA, so it believes the server but the server does not believe it;
 *   <li>{@code trust.p12}: the CA alone: a client that checks the server but has no certificate.
 * </ul>
 *
 * Each file serves as key store and trust store alike; all share one random {@link #password()}.
 * For servers and clients that read PEM (redis-server, Lettuce's PEM settings), {@link #pem} writes
 * a key's certificate and unencrypted PKCS#8 key as PEM files (with the {@code openssl} command),
 * and {@link #caCertificate()} is the CA's certificate in PEM. Valid for two days. {@link #close()}
 * deletes the folder.
 */
public final class TestCertificates implements AutoCloseable {

    private static final String TYPE = "PKCS12";

    private final Path folder;
    private final String password = UUID.randomUUID().toString();

    private TestCertificates(Path folder) {
        this.folder = folder;
    }

    /** Makes the CA and the keys (about a dozen runs of {@code keytool}: seconds). */
    public static TestCertificates create() {
        try {
            TestCertificates certificates = new TestCertificates(Files.createTempDirectory("baton-tls-"));
            certificates.make();
            return certificates;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void make() {
        Path ca = folder.resolve("ca.p12");
        Path caCertificate = folder.resolve("ca.crt");
        keytool("-genkeypair", "-alias", "ca", "-dname", "CN=Baton test CA", "-ext", "bc:c", "-keystore", ca.toString());
        keytool("-exportcert", "-alias", "ca", "-rfc", "-file", caCertificate.toString(), "-keystore", ca.toString());
        signed("server", "CN=memory-service", "serverAuth", ca, caCertificate);
        signed("client", "CN=inference-service", "clientAuth", ca, caCertificate);
        Path stranger = file("stranger");
        keytool("-genkeypair", "-alias", "stranger", "-dname", "CN=stranger", "-keystore", stranger.toString());
        trust(stranger, caCertificate);
        trust(file("trust"), caCertificate);
    }

    /** A key {@code alias} in its own file, its certificate signed by the CA, next to the CA's. */
    private void signed(String alias, String name, String usage, Path ca, Path caCertificate) {
        Path store = file(alias);
        Path request = folder.resolve(alias + ".csr");
        Path certificate = folder.resolve(alias + ".crt");
        keytool("-genkeypair", "-alias", alias, "-dname", name, "-keystore", store.toString());
        keytool("-certreq", "-alias", alias, "-file", request.toString(), "-keystore", store.toString());
        keytool("-gencert", "-alias", "ca", "-infile", request.toString(), "-outfile", certificate.toString(), "-rfc",
                "-ext", "san=ip:127.0.0.1,dns:localhost", "-ext", "eku=" + usage, "-keystore", ca.toString());
        trust(store, caCertificate);
        keytool("-importcert", "-alias", alias, "-file", certificate.toString(), "-keystore", store.toString());
    }

    private void trust(Path store, Path caCertificate) {
        keytool("-importcert", "-alias", "ca", "-noprompt", "-file", caCertificate.toString(), "-keystore", store.toString());
    }

    /** The PKCS12 file named {@code name} ({@code server}, {@code client}, {@code stranger}, {@code trust}). */
    public Path file(String name) {
        return folder.resolve(name + ".p12");
    }

    /** The CA's certificate, PEM: what a client or server that checks its peer trusts. */
    public Path caCertificate() {
        return folder.resolve("ca.crt");
    }

    /**
     * The certificate and key {@code name} ({@code server}, {@code client}, {@code stranger}) as PEM
     * files, made at the first call from its PKCS12 file with {@code openssl pkcs12}: {@code
     * name.crt} (the certificate) and {@code name.key} (the key, PKCS#8, not encrypted).
     */
    public synchronized Pem pem(String name) {
        Pem pem = new Pem(folder.resolve(name + ".crt"), folder.resolve(name + ".key"));
        if (!Files.exists(pem.key())) {
            openssl("pkcs12", "-in", file(name).toString(), "-passin", "pass:" + password, "-nokeys", "-clcerts",
                    "-out", pem.certificate().toString());
            openssl("pkcs12", "-in", file(name).toString(), "-passin", "pass:" + password, "-nocerts", "-nodes",
                    "-out", pem.key().toString());
        }
        return pem;
    }

    /** A certificate and its key, PEM files. */
    public record Pem(Path certificate, Path key) {
    }

    /** The password of every file and key. */
    public String password() {
        return password;
    }

    /**
     * Spring Boot properties of an SSL bundle {@code bundle} ({@code spring.ssl.bundle.jks.*})
     * made of the file {@code name}: its key {@code name} and the CA as trust material.
     */
    public Map<String, String> bundleProperties(String bundle, String name) {
        String prefix = "spring.ssl.bundle.jks." + bundle + ".";
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(prefix + "key.alias", name);
        for (String store : List.of("keystore", "truststore")) {
            properties.put(prefix + store + ".location", file(name).toUri().toString());
            properties.put(prefix + store + ".password", password);
            properties.put(prefix + store + ".type", TYPE);
        }
        return properties;
    }

    /** The file {@code name} as an SSL bundle: its key {@code name} (none for {@code trust}) and the CA. */
    public SslBundle bundle(String name) {
        JksSslStoreDetails store = new JksSslStoreDetails(TYPE, null, file(name).toUri().toString(), password);
        return SslBundle.of(new JksSslStoreBundle(name.equals("trust") ? null : store, store),
                name.equals("trust") ? SslBundleKey.NONE : SslBundleKey.of(password, name));
    }

    private void openssl(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(arguments));
        run(command, "openssl " + arguments[0]);
    }

    private void keytool(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.add("-J-XX:TieredStopAtLevel=1");
        command.addAll(List.of(arguments));
        if (arguments[0].equals("-genkeypair")) {
            command.addAll(List.of("-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2"));
        }
        command.addAll(List.of("-storetype", TYPE, "-storepass", password));
        run(command, "keytool " + arguments[0]);
    }

    private static void run(List<String> command, String what) {
        try {
            Process process;
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true).start();
            } catch (IOException e) {
                // keytool comes with the JDK; openssl may be missing: the tests that need PEM files are
                // skipped with one loud line, or fail under CI=true
                throw TestServers.unavailable("TESTS WITH PEM CERTIFICATES", command.get(0)
                        + " is not on the PATH, so the test certificates cannot be written as PEM (" + e.getMessage() + ")");
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(what + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("running " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + what, e);
        }
    }

    @Override
    public void close() {
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        } catch (IOException e) {
            System.err.println("could not delete " + folder + ": " + e);
        }
    }
}
