/**
 * The documents API: a document is stored state that later calls continue. {@code POST
 * /v1/documents} ingests a text, {@code POST /v1/documents/{id}/append} (also {@code {id}:append})
 * continues it from its head, {@code POST /v1/documents/{id}/generate} ({@code {id}:generate})
 * streams a generation from its head without changing it, {@code GET} and {@code DELETE} read and
 * remove it ({@link io.baton.gateway.documents.DocumentsController}, {@link
 * io.baton.gateway.documents.DocumentService}). Segments go through the document pipeline in
 * order; heads, checkpoints and deletion come from the memory service through inference's {@code
 * MemoryClient}; one write per document at a time in this gateway ({@link
 * io.baton.gateway.documents.DocumentLeases}), the memory service's compare-and-set across
 * gateways.
 */
package io.baton.gateway.documents;
