/**
 * Admission: how much work inference takes on at once, and how much of it batch work may take.
 * Requests beyond a bound (or batch requests beyond their share of it) are refused at once with
 * {@code service-busy} (503 and {@code Retry-After}) instead of queuing without end; see
 * docs/reliability.md, "Inference: limits and admission" and "Interactive first: batch priority
 * at inference".
 */
package io.baton.inference.admission;
