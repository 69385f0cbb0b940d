/**
 * How ONNX Runtime runs here: session options built from {@code baton.onnx} (threads, graph
 * optimisation, CPU memory arena), the execution provider chosen by name from a small registry
 * ({@code cpu}, {@code cuda}) and logged once at start-up, and the bounded, named scheduler
 * ({@code onnx-runner-N}) that blocking runs go to.
 */
package io.baton.inference.runtime;
