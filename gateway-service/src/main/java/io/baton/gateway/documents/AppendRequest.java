package io.baton.gateway.documents;

import jakarta.validation.constraints.NotNull;

/**
 * {@code POST /v1/documents/{id}/append}: more text of the document, continuing from its head in
 * the document's model.
 *
 * @param text the text to append
 */
public record AppendRequest(@NotNull String text) {
}
