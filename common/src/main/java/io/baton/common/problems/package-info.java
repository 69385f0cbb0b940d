/**
 * The problem details (RFC 9457) of every service: the type prefix, titles, the framework's
 * failure names. Needs spring-web, which every service brings.
 */
package io.baton.common.problems;
