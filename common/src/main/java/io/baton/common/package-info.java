/**
 * What two Baton services both need: the module's root exception, wire records, in
 * {@link io.baton.common.state} the state container codec, and in {@link io.baton.common.redis}
 * the Redis connection of the services that store there. Plain Java, no Spring.
 */
package io.baton.common;
