/**
 * What two Baton services both need: the module's root exception, wire records and, in
 * {@link io.baton.common.state}, the state container codec. Plain Java, no Spring.
 */
package io.baton.common;
