/** Test support: the memory service as a separate process, inference instances in-process. */
package io.baton.inference.testing;
