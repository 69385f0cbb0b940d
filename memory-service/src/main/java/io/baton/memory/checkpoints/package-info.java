/**
 * Checkpoints as the memory service understands them, whoever calls: the checks a checkpoint
 * must pass before it is stored (a valid container whose metadata names this tenant, document
 * and segment), its stored encoding, and the store. The HTTP API and standalone mode's
 * in-process client both go through {@link io.baton.memory.checkpoints.CheckpointService}.
 */
package io.baton.memory.checkpoints;
