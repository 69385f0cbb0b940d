/**
 * A document's state on its way to and from the memory service: the checkpoint codec (state
 * tensors and the metadata that binds them to a model, tenant, document and segment, and names
 * the stored state and tokens each was computed from), the memory-service client, and the states
 * this instance kept.
 */
package io.baton.inference.state;
