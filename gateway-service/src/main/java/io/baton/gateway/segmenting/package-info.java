/**
 * Segmenting: turning a document's text into the ordered segments the model runs, streaming.
 *
 * <p>{@link io.baton.gateway.segmenting.TextTokenizer} runs a model's {@code tokenizer.json}
 * (Hugging Face tokenizers through DJL, offline, never truncating) and reports each token's
 * characters as UTF-16 indices. {@link io.baton.gateway.segmenting.SentenceSplitter} finds
 * sentences ({@code java.text.BreakIterator} plus a few rules) whose spans cover the text exactly, the
 * whitespace between two sentences starting the second.
 * {@link io.baton.gateway.segmenting.Segmenter} packs sentences into
 * {@link io.baton.gateway.segmenting.Segment}s of at most a maximum number of tokens, cutting at
 * sentence boundaries where it can and never dropping or repeating a token, reading the text a
 * window at a time. The rules and the default segment length are described in
 * {@code docs/gateway.md}, section "Segmenting".
 */
package io.baton.gateway.segmenting;
