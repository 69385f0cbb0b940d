/**
 * The state container: one checkpoint of a document's recurrent state (SSM, convolution and
 * attention KV tensors plus string metadata) in the safetensors file format. {@link
 * io.baton.common.state.StateCodec} reads and writes it for every service.
 */
package io.baton.common.state;
