package io.baton.gateway.segmenting;

import io.baton.gateway.GatewayProperties;
import java.io.Reader;
import java.util.Iterator;

/**
 * Cuts a document into {@link Segment}s of at most {@code maxTokens} tokens, streaming: with the
 * {@link Cut#EXACT exact} cut (the default) every segment but the last holds exactly {@code
 * maxTokens} tokens, with the {@link Cut#SENTENCE sentence} cut segments end at sentence ends
 * where they can; segments are produced one at a time as they are asked for,
 * and a document of any length is never held whole.
 *
 * <p><b>The document's tokens.</b> The document is split into sentences
 * ({@link SentenceSplitter}) and each sentence is tokenised on its own ({@link TextTokenizer}, no
 * special tokens); the document's tokens are the sentences' tokens one after another. This is
 * what lets a document stream. It gives the tokens of the whole text tokenised at once:
 * <ul>
 *   <li>for the byte-level tokenizers of the tiny zoo models, trivially: the tokens of any text
 *       are its UTF-8 bytes;</li>
 *   <li>for a byte-level BPE with a GPT-2 style pre-tokenizer (the trained models, the default
 *       {@code jamba-medium} among them), because the whitespace between two sentences starts the
 *       second sentence: a sentence ends on a character that is not whitespace and the next begins
 *       with whitespace, a place where GPT-2's pre-tokenizer always cuts (a word carries the one
 *       space before it, {@code " Next"}, and no pre-token holds a character and then whitespace), and
 *       BPE merges never cross pre-tokens. The whitespace run is tokenised as in the whole text,
 *       {@code "\n\n"} or {@code " Next"} alike. Where a sentence boundary has no whitespace,
 *       the two characters are of different kinds (letter, digit, other), another place where the
 *       pre-tokenizer always cuts ({@link SentenceSplitter}).</li>
 * </ul>
 * The exceptions are cuts forced by the window: a run of more than a window (65,536 characters)
 * with neither a sentence end nor whitespace is cut between two characters, and whitespace
 * between sentences that does not fit in a window with the sentence after it is cut into a
 * whitespace-only sentence (exact when the next sentence still gets the run's last character);
 * in theory also a cut with no whitespace inside one of GPT-2's contractions ({@code '|s}).
 * A pre-tokenizer of another kind (SentencePiece's {@code Metaspace}, which marks the start of
 * every text it is given) can differ near boundaries; decoding still gives back the text.
 *
 * <p><b>The rules.</b>
 * <ol>
 *   <li>Sentences are added to the current segment while they fit.</li>
 *   <li>A sentence that does not fit in what is left: with the sentence cut, it starts the next
 *       segment; with the exact cut, it is split at token boundaries, its first part filling
 *       what is left of the segment and the rest continuing in the next (by rule 3 if it is
 *       still longer than a segment).</li>
 *   <li>A sentence longer than a segment starts a segment (sentence cut) and is split at token
 *       boundaries: each part but the last fills a segment, and the last part is followed by
 *       the next sentences.</li>
 *   <li>A split falls between two characters, never between the tokens of one character (the
 *       bytes of one UTF-8 character): the part before it ends at the last character that fits
 *       whole, so a segment the split ends is short by the tokens of less than one character
 *       (at most 3 with byte-level tokens). Only a character with more tokens than a segment
 *       holds is split between its tokens.</li>
 *   <li>No token is dropped or repeated: the segments' tokens, in order, are the document's
 *       tokens, and their character spans cover the text exactly.</li>
 * </ol>
 * The parts of a split sentence share its number ({@link SegmentSentence#sentence()}); since the
 * hidden states do not depend on where segments are cut, the token-weighted mean of the parts'
 * vectors is the sentence's vector.
 *
 * <p><b>Memory.</b> An iteration holds one window of text ({@link SentenceSplitter}, about 64K
 * characters) and two sentences waiting for the next one, the tokens of one sentence, the
 * segment being filled, and the segments one long sentence completed; nothing grows with the
 * document.
 *
 * <p>A segmenter may be shared; each iteration must stay on one thread. It reads blocking, so in
 * reactive code run it on a scheduler for blocking work, e.g.
 * {@code Flux.fromIterable(() -> segmenter.segments(reader)).subscribeOn(Schedulers.boundedElastic())}.
 */
public final class Segmenter {

    /** The default maximum segment length, in tokens ({@link GatewayProperties.Segmenting#DEFAULT_MAX_TOKENS}). */
    public static final int DEFAULT_MAX_TOKENS = GatewayProperties.Segmenting.DEFAULT_MAX_TOKENS;

    private final TextTokenizer tokenizer;
    private final SentenceSplitter splitter;
    private final int maxTokens;
    private final Cut cut;

    /** A segmenter with the default sentence splitter and the default cut ({@link Cut#DEFAULT}). */
    public Segmenter(TextTokenizer tokenizer, int maxTokens) {
        this(tokenizer, maxTokens, Cut.DEFAULT);
    }

    /** A segmenter with the default sentence splitter. */
    public Segmenter(TextTokenizer tokenizer, int maxTokens, Cut cut) {
        this(tokenizer, new SentenceSplitter(), maxTokens, cut);
    }

    /** A segmenter with the default cut ({@link Cut#DEFAULT}). */
    public Segmenter(TextTokenizer tokenizer, SentenceSplitter splitter, int maxTokens) {
        this(tokenizer, splitter, maxTokens, Cut.DEFAULT);
    }

    /**
     * @param tokenizer the model's tokenizer; the caller keeps it open while iterating, and
     *                  closes it
     * @param splitter  the sentence splitter
     * @param maxTokens the most tokens one segment holds, at least 1
     * @param cut       where segments end
     */
    public Segmenter(TextTokenizer tokenizer, SentenceSplitter splitter, int maxTokens, Cut cut) {
        if (tokenizer == null || splitter == null || cut == null) {
            throw new IllegalArgumentException("tokenizer, splitter and cut are required");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, not " + maxTokens);
        }
        this.tokenizer = tokenizer;
        this.splitter = splitter;
        this.maxTokens = maxTokens;
        this.cut = cut;
    }

    /** The most tokens one segment holds. */
    public int maxTokens() {
        return maxTokens;
    }

    /** Where segments end. */
    public Cut cut() {
        return cut;
    }

    /**
     * The segments of a document read from {@code text}, produced as they are asked for. The
     * caller closes the reader.
     *
     * @throws TextReadException     (from the iterator) when reading fails
     * @throws MalformedTextException (from the iterator) when the text holds an unpaired surrogate
     */
    public Iterator<Segment> segments(Reader text) {
        return new SegmentStream(splitter.sentences(text), tokenizer, maxTokens, cut);
    }

    /** The segments of a document in memory, produced as they are asked for. */
    public Iterator<Segment> segments(CharSequence text) {
        return new SegmentStream(splitter.sentences(text), tokenizer, maxTokens, cut);
    }
}
