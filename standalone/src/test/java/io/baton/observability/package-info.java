/**
 * Checks of the repository's observability files (observability/, k8s/base/observability/): the
 * alert rules and the PrometheusRule are one set, valid for promtool, and its unit tests pass.
 */
package io.baton.observability;
