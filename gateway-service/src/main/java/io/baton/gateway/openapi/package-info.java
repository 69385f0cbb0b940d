/**
 * The OpenAPI description of the gateway's API, served at {@code /v3/api-docs} by springdoc: what
 * the API is, and the {@code X-API-Key} security scheme every {@code /v1/**} operation uses.
 * Operations and schemas come from the controllers and their wire records (annotated where the
 * Java alone does not say enough), so a new controller under {@code /v1/} appears by itself.
 */
package io.baton.gateway.openapi;
