/**
 * Deadlines that travel with a request: the gateway gives each request one, every call to another
 * service sends what is left of it ({@code X-Baton-Time-Left-Ms}), and the called service drops
 * work whose deadline passed before it runs. See docs/reliability.md.
 */
package io.baton.protocol.deadlines;
