package io.baton.protocol.inference;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Whose work a segment is, and so which goes first at inference: a request somebody waits for
 * ({@code "interactive"} on the wire: summaries, the documents API) before a document of a batch
 * job ({@code "batch"}). Inference runs queued interactive segments before queued batch ones and
 * keeps part of its bounds for interactive work (docs/reliability.md, "Interactive first: batch
 * priority at inference").
 */
public enum Priority {
    /** Somebody waits for the answer; the default when a request names no priority. */
    @JsonProperty("interactive")
    INTERACTIVE,
    /** Work of a batch job: runs when no interactive segment waits, within its share of the bounds. */
    @JsonProperty("batch")
    BATCH
}
