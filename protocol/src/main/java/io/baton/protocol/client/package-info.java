/**
 * What the HTTP adapters of the clients share: their settings ({@link
 * io.baton.protocol.client.ClientSettings}, {@link io.baton.protocol.client.BreakerSettings}), the
 * guard of every call (timeout, retries and breaker from the catalogue, {@link
 * io.baton.protocol.client.CallGuard}), answers read back into the catalogue ({@link
 * io.baton.protocol.client.RemoteProblems}), the web client with the service credentials (the
 * service token, an SSL bundle's client certificate and trust material).
 */
package io.baton.protocol.client;
