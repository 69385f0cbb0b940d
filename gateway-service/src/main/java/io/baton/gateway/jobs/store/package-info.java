/**
 * Where batch jobs live: the {@link io.baton.gateway.jobs.store.JobStore} contract (a job, its
 * requests, each request's lease, recorded segment answers and one result), in memory for
 * standalone mode and in Redis next to the state in distributed mode.
 */
package io.baton.gateway.jobs.store;
