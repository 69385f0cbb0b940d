/**
 * The container health check: {@link io.baton.common.health.HealthProbe}, run by the images'
 * {@code HEALTHCHECK} with {@code java} itself, so an image needs neither a shell nor curl.
 */
package io.baton.common.health;
