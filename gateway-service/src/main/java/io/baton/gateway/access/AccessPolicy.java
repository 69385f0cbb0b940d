package io.baton.gateway.access;

import io.baton.gateway.GatewayProperties;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether requests need an API key, and whose tenant a key is. Decided once at start-up from
 * {@link GatewayProperties.Access}, the mode and the address the server binds to:
 *
 * <ul>
 *   <li>keys configured: every request to {@code /v1/**} needs one of them (in standalone mode
 *       too);
 *   <li>no keys, standalone mode bound to a loopback address (the standalone default, {@code
 *       127.0.0.1}): open, every request runs as {@code baton.access.tenant};
 *   <li>no keys, {@code baton.access.open=true}: open, as above, wherever it is bound;
 *   <li>otherwise (distributed mode, or standalone bound to other addresses, without keys): the
 *       gateway refuses to start, so a deployment is never open by accident.
 * </ul>
 *
 * <p>Keys are kept as SHA-256 digests, and a presented key is looked up by its digest, so the
 * lookup's timing says nothing about the keys.
 */
public final class AccessPolicy {

    private final Map<String, String> tenantsByDigest;
    private final String openTenant;
    private final String description;

    private AccessPolicy(Map<String, String> tenantsByDigest, String openTenant, String description) {
        this.tenantsByDigest = tenantsByDigest;
        this.openTenant = openTenant;
        this.description = description;
    }

    /**
     * The policy for {@code access}.
     *
     * @param standalone whether the gateway runs in standalone mode
     * @param bound      the address the server binds to ({@code server.address}); {@code null}
     *                   for all interfaces
     * @throws IllegalStateException when the configuration would leave the API open without
     *                               saying so, or says two contradictory things
     */
    public static AccessPolicy of(GatewayProperties.Access access, boolean standalone, InetAddress bound) {
        String where = bound == null ? "all interfaces" : bound.getHostAddress();
        if (access.hasKeys()) {
            if (access.open()) {
                throw new IllegalStateException("baton.access.open=true and API keys (baton.access.api-keys) are "
                        + "both configured; remove one of them");
            }
            Map<String, String> byDigest = new HashMap<>();
            access.apiKeys().forEach((tenant, keys) -> keys.forEach(key -> byDigest.put(digest(key), tenant)));
            return new AccessPolicy(Map.copyOf(byDigest), null, "API keys required on /v1/** (X-API-Key), "
                    + byDigest.size() + " key(s) for tenant(s) " + List.copyOf(access.apiKeys().keySet()));
        }
        if (access.open()) {
            return new AccessPolicy(Map.of(), access.tenant(), "OPEN: no API keys and baton.access.open=true; "
                    + "every request to /v1/** runs as tenant '" + access.tenant() + "' (bound to " + where + ")");
        }
        if (standalone && bound != null && bound.isLoopbackAddress()) {
            return new AccessPolicy(Map.of(), access.tenant(), "open without API keys: standalone mode bound to "
                    + where + " (this machine only); every request runs as tenant '" + access.tenant() + "'");
        }
        throw new IllegalStateException("no API keys are configured and the gateway "
                + (standalone ? "is in standalone mode bound to " + where + ", not a loopback address"
                        : "is in distributed mode")
                + ": configure keys (baton.access.api-keys.<tenant>, e.g. BATON_ACCESS_APIKEYS_ACME=<key>) or allow "
                + "open access explicitly with baton.access.open=true (BATON_ACCESS_OPEN=true)");
    }

    /** Whether requests need a key. */
    public boolean requiresKey() {
        return openTenant == null;
    }

    /** The tenant of every request when no key is needed. */
    public String openTenant() {
        if (openTenant == null) {
            throw new IllegalStateException("access needs API keys; there is no open tenant");
        }
        return openTenant;
    }

    /** The tenant {@code key} belongs to, if it is a configured key. */
    public Optional<String> tenantOf(String key) {
        return Optional.ofNullable(tenantsByDigest.get(digest(key)));
    }

    /** One line for the start-up log (names tenants, never keys). */
    public String description() {
        return description;
    }

    private static String digest(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
