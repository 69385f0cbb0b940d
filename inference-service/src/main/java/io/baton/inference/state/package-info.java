/**
 * A document's state on its way to and from the memory service: the checkpoint codec (state
 * tensors and the metadata that binds them to a model, tenant, document and segment) and the
 * memory-service client.
 */
package io.baton.inference.state;
