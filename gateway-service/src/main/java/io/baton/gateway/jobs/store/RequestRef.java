package io.baton.gateway.jobs.store;

/** Request {@code index} of job {@code job} of {@code tenant}: what a queue message names. */
public record RequestRef(String tenant, String job, int index) {
}
