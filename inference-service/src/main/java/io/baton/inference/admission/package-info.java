/**
 * Admission: how much work inference takes on at once. Requests beyond a bound are refused at
 * once with {@code service-busy} (503 and {@code Retry-After}) instead of queuing without end;
 * see docs/reliability.md, "Inference: limits and admission".
 */
package io.baton.inference.admission;
