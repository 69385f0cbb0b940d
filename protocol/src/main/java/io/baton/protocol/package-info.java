/**
 * What crosses a process boundary between Baton's services: header names ({@link
 * io.baton.protocol.BatonHeaders}), id shapes ({@link io.baton.protocol.Ids}), checkpoint
 * metadata keys. The catalogue of problem types, the root exception and the exception of a failed
 * call to another service are in {@code problems}, the records and clients of each service in
 * {@code memory} and {@code inference}, what their HTTP adapters share in {@code client}, who may
 * call a service in {@code access}.
 */
package io.baton.protocol;
