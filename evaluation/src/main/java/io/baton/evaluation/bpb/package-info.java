/**
 * Bits per byte of a model on held-out text, with the recurrent state carried from segment to
 * segment or reset to the initial state at every segment.
 */
package io.baton.evaluation.bpb;
