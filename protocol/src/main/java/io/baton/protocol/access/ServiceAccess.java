package io.baton.protocol.access;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.web.server.Ssl;
import org.springframework.core.env.Environment;

/**
 * Whether a service (memory, inference) needs a credential on {@code /v1/**}, and which ones it
 * takes. Decided once at start-up from the service token, {@code baton.access.open}, the address
 * the server binds to and its TLS settings:
 *
 * <ul>
 *   <li>a service token ({@code baton.service-token}): every request needs it as {@code
 *       Authorization: Bearer <token>}, or a client certificate when TLS verifies them;
 *   <li>no token, TLS with {@code server.ssl.client-auth} {@code need} or {@code want}: every
 *       request needs a client certificate the server's trust material verified (with {@code
 *       need} the handshake already refuses a client without one);
 *   <li>no credential, {@code baton.access.open=true}: open wherever it listens;
 *   <li>no credential, bound to a loopback address ({@code server.address=127.0.0.1}): open, this
 *       machine only (a developer's machine, the tests);
 *   <li>otherwise (all interfaces, the default, or another address, without a credential): the
 *       service refuses to start, so it is never open by accident. A credential and {@code
 *       open} together are refused as contradictory.
 * </ul>
 */
public final class ServiceAccess {

    private final String service;
    private final ServiceToken token;
    private final boolean certificates;
    private final boolean open;
    private final String description;

    private ServiceAccess(String service, ServiceToken token, boolean certificates, boolean open, String description) {
        this.service = service;
        this.token = token;
        this.certificates = certificates;
        this.open = open;
        this.description = description;
    }

    /**
     * The access of {@code service} (its name in messages, e.g. {@code memory service}).
     *
     * @param token      the service token; null for none
     * @param open       {@code baton.access.open}
     * @param bound      the address the server binds to ({@code server.address}); null for all
     *                   interfaces
     * @param clientAuth whether the server's TLS asks for client certificates; null or {@code
     *                   NONE} when it does not (or serves no TLS)
     * @throws AccessConfigurationException when the service would listen beyond loopback without
     *                                      a credential and without saying so, or is given a
     *                                      credential and told to be open
     */
    public static ServiceAccess of(String service, ServiceToken token, boolean open, InetAddress bound,
                                   Ssl.ClientAuth clientAuth) {
        boolean certificates = clientAuth == Ssl.ClientAuth.NEED || clientAuth == Ssl.ClientAuth.WANT;
        String where = bound == null ? "all interfaces" : bound.getHostAddress();
        if (open && (token != null || certificates)) {
            throw AccessConfigurationException.contradictory(service, token != null ? "baton.service-token"
                    : "server.ssl.client-auth=" + clientAuth.name().toLowerCase(Locale.ROOT));
        }
        if (token != null) {
            return new ServiceAccess(service, token, certificates, false, "service token required on /v1/** "
                    + "(Authorization: Bearer)" + (certificates ? ", or a client certificate verified by TLS" : "")
                    + "; bound to " + where);
        }
        if (certificates) {
            return new ServiceAccess(service, null, true, false, "client certificate required on /v1/** (mutual TLS, "
                    + "server.ssl.client-auth=" + clientAuth.name().toLowerCase(Locale.ROOT) + "); bound to " + where);
        }
        if (open) {
            return new ServiceAccess(service, null, false, true, "OPEN: no credential and baton.access.open=true; "
                    + "any caller that reaches " + where + " may call /v1/** and name any tenant");
        }
        if (bound != null && bound.isLoopbackAddress()) {
            return new ServiceAccess(service, null, false, true, "open without a credential: bound to " + where
                    + " (this machine only)");
        }
        throw AccessConfigurationException.unprotected(service, where);
    }

    /**
     * The access of {@code service} as its {@code settings} and the server's own settings in
     * {@code environment} ({@code server.address}, {@code server.ssl.*}) make it.
     */
    public static ServiceAccess of(String service, AccessSettings settings, Environment environment) {
        return of(service, settings.serviceToken(), settings.openAccess(),
                boundAddress(environment.getProperty("server.address")), clientAuth(environment));
    }

    /** Whether requests need no credential. */
    public boolean open() {
        return open;
    }

    /**
     * Checks the credential of a request.
     *
     * @param authorization its {@code Authorization} header; null when absent
     * @param certified     whether its TLS session carries a client certificate the server verified
     * @throws CredentialsException when the request may not go on
     */
    public void authenticate(String authorization, boolean certified) {
        if (open || certified && certificates) {
            return;
        }
        if (authorization == null || authorization.isBlank()) {
            throw CredentialsException.missing(service, needed());
        }
        if (token == null) {
            throw CredentialsException.invalid(service, "it takes no token, only a client certificate its TLS verifies");
        }
        String value = authorization.strip();
        int space = value.indexOf(' ');
        if (space < 0 || !value.substring(0, space).equalsIgnoreCase("Bearer")) {
            throw CredentialsException.invalid(service, "the Authorization header is not a Bearer token");
        }
        if (!token.matches(value.substring(space + 1).strip())) {
            throw CredentialsException.invalid(service, "the Bearer token is not the service token");
        }
    }

    /** One line for the start-up log (never the token). */
    public String description() {
        return description;
    }

    private String needed() {
        String bearer = "the service token as Authorization: Bearer <token>";
        if (token == null) {
            return "a client certificate its TLS trusts";
        }
        return certificates ? bearer + ", or a client certificate its TLS trusts" : bearer;
    }

    /** {@code server.address} as an address; null (all interfaces) when unset. */
    static InetAddress boundAddress(String address) {
        if (address == null || address.isBlank()) {
            return null;
        }
        try {
            return InetAddress.getByName(address.strip());
        } catch (UnknownHostException e) {
            throw AccessConfigurationException.unresolvable(address, e);
        }
    }

    /** Whether the server's TLS asks for client certificates ({@code server.ssl.client-auth}); NONE without TLS. */
    static Ssl.ClientAuth clientAuth(Environment environment) {
        Ssl ssl = Binder.get(environment).bind("server.ssl", Ssl.class).orElse(null);
        return Ssl.isEnabled(ssl) && ssl.getClientAuth() != null ? ssl.getClientAuth() : Ssl.ClientAuth.NONE;
    }
}
