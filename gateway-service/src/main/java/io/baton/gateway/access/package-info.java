/**
 * Who may call the gateway's API: {@link io.baton.gateway.access.ApiKeyFilter} checks the {@code
 * X-API-Key} of every request to {@code /v1/**} against the configured keys ({@code
 * baton.access.api-keys}), answers 401 without a valid one, and records the key's tenant, which
 * controllers read through {@link io.baton.gateway.access.Tenants#of}. {@link
 * io.baton.gateway.access.AccessPolicy} decides at start-up whether the gateway may run without
 * keys (standalone on loopback, or an explicit {@code baton.access.open}) and refuses to start
 * otherwise. Everything outside {@code /v1/} (the web page, the OpenAPI description, health) is
 * open.
 */
package io.baton.gateway.access;
