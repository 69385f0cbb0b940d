package io.baton.gateway.documents;

import io.baton.protocol.Ids;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/**
 * {@code POST /v1/documents}.
 *
 * @param text  the document's text (more can be appended later)
 * @param model model id; the default model when absent
 * @param id    the document's id; a fresh {@code doc-<uuid>} when absent
 */
public record IngestRequest(@NotNull String text, String model,
                            @Pattern(regexp = Ids.DOCUMENT_PATTERN, message = "must match " + Ids.DOCUMENT_PATTERN) String id) {
}
