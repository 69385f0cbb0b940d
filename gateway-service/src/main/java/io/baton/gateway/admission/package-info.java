/**
 * What the gateway admits: per tenant, how many requests that run documents may run at once and
 * how many tokens per second they may send ({@link io.baton.gateway.admission.Admission}); the
 * deadline each such request gets; and how long the HTTP server reads a request's body. See
 * docs/reliability.md, "Gateway: admission, limits and deadlines".
 */
package io.baton.gateway.admission;
