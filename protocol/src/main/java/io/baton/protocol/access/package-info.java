/**
 * Who may call a service of the platform (the memory and inference services): a shared service
 * token ({@link io.baton.protocol.access.ServiceToken}, {@code baton.service-token}, sent as
 * {@code Authorization: Bearer}) or a client certificate verified by mutual TLS (Spring Boot SSL
 * bundles). {@link io.baton.protocol.access.ServiceAccess} decides once at start-up whether a
 * service needs a credential and refuses to start one that would listen beyond loopback without
 * any ({@link io.baton.protocol.access.AccessConfigurationException}); {@link
 * io.baton.protocol.access.ServiceAccessFilter} asks every request to {@code /v1/**} for it and
 * answers 401 without. What a request names in {@code X-Baton-Tenant} is trusted because the
 * caller proved it is part of the platform. The gateway's own API keys are the gateway's ({@code
 * io.baton.gateway.access}).
 */
package io.baton.protocol.access;
