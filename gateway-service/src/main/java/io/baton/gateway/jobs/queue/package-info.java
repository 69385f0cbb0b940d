/**
 * The queue of a job's work messages: RabbitMQ (quorum queue, dead letters, confirms, manual acks)
 * or, in standalone mode, an in-process queue with the same semantics.
 */
package io.baton.gateway.jobs.queue;
