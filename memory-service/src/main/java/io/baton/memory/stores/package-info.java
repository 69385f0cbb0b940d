/**
 * Which checkpoint store serves: the registry of store kinds and the configuration that picks one
 * by {@code baton.store.kind} (Redis, or in memory in standalone mode) and logs the choice once.
 * Apart from {@code store}, so that the store contract does not depend on its implementations.
 */
package io.baton.memory.stores;
