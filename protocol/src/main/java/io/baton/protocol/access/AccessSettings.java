package io.baton.protocol.access;

/**
 * What a service's configuration says about who may call it; the memory and inference services'
 * {@code @ConfigurationProperties} records implement it, and {@link ServiceAccessConfiguration}
 * reads it.
 */
public interface AccessSettings {

    /** {@code baton.service-token} ({@code BATON_SERVICE_TOKEN}); null when none is set. */
    ServiceToken serviceToken();

    /**
     * {@code baton.access.open} ({@code BATON_ACCESS_OPEN}): run without a credential wherever
     * the service listens, for a deployment that authenticates callers in front of it.
     */
    boolean openAccess();
}
