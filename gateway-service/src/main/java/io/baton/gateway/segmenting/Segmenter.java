package io.baton.gateway.segmenting;

import java.io.Reader;
import java.util.Iterator;

/**
 * Cuts a document into {@link Segment}s of at most {@code maxTokens} tokens, at sentence
 * boundaries where it can, streaming: segments are produced one at a time as they are asked for,
 * and a document of any length is never held whole.
 *
 * <p><b>The document's tokens.</b> The document is split into sentences
 * ({@link SentenceSplitter}) and each sentence is tokenised on its own ({@link TextTokenizer}, no
 * special tokens); the document's tokens are the sentences' tokens one after another. This is
 * what lets a document stream, and it is exact for the byte-level tokenizers of the model zoo,
 * where the tokens of any text are its UTF-8 bytes. For a tokenizer whose pre-tokenizer looks
 * across the sentence boundary (a BPE that attaches a space to the following word, say) the
 * tokens near a boundary can differ from tokenising the document at once; decoding them still
 * gives back the text.
 *
 * <p><b>The rules.</b>
 * <ol>
 *   <li>Sentences are added to the current segment while they fit.</li>
 *   <li>A sentence that does not fit in what is left starts the next segment.</li>
 *   <li>A sentence longer than a segment starts a segment and is split at token boundaries: each
 *       part but the last fills a segment, and the last part is followed by the next sentences.
 *       A split falls between two characters, never between the tokens of one character (the
 *       bytes of one UTF-8 character), unless one character has more tokens than a segment.</li>
 *   <li>No token is dropped or repeated: the segments' tokens, in order, are the document's
 *       tokens, and their character spans cover the text exactly.</li>
 * </ol>
 *
 * <p><b>Memory.</b> An iteration holds one window of text ({@link SentenceSplitter}, about 64K
 * characters), the tokens of one sentence, the segment being filled, and the segments one long
 * sentence completed; nothing grows with the document.
 *
 * <p>A segmenter may be shared; each iteration must stay on one thread. It reads blocking, so in
 * reactive code run it on a scheduler for blocking work, e.g.
 * {@code Flux.fromIterable(() -> segmenter.segments(reader)).subscribeOn(Schedulers.boundedElastic())}.
 */
public final class Segmenter {

    /**
     * The default maximum segment length, in tokens. Chosen from the zoo throughput measurements;
     * {@code docs/gateway.md} (section "Segmenting") says why.
     */
    public static final int DEFAULT_MAX_TOKENS = 256;

    private final TextTokenizer tokenizer;
    private final SentenceSplitter splitter;
    private final int maxTokens;

    /** A segmenter with the default sentence splitter. */
    public Segmenter(TextTokenizer tokenizer, int maxTokens) {
        this(tokenizer, new SentenceSplitter(), maxTokens);
    }

    /**
     * @param tokenizer the model's tokenizer; the caller keeps it open while iterating, and
     *                  closes it
     * @param splitter  the sentence splitter
     * @param maxTokens the most tokens one segment holds, at least 1
     */
    public Segmenter(TextTokenizer tokenizer, SentenceSplitter splitter, int maxTokens) {
        if (tokenizer == null || splitter == null) {
            throw new IllegalArgumentException("tokenizer and splitter are required");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, not " + maxTokens);
        }
        this.tokenizer = tokenizer;
        this.splitter = splitter;
        this.maxTokens = maxTokens;
    }

    /** The most tokens one segment holds. */
    public int maxTokens() {
        return maxTokens;
    }

    /**
     * The segments of a document read from {@code text}, produced as they are asked for. The
     * caller closes the reader.
     *
     * @throws TextReadException     (from the iterator) when reading fails
     * @throws MalformedTextException (from the iterator) when the text holds an unpaired surrogate
     */
    public Iterator<Segment> segments(Reader text) {
        return new SegmentStream(splitter.sentences(text), tokenizer, maxTokens);
    }

    /** The segments of a document in memory, produced as they are asked for. */
    public Iterator<Segment> segments(CharSequence text) {
        return new SegmentStream(splitter.sentences(text), tokenizer, maxTokens);
    }
}
