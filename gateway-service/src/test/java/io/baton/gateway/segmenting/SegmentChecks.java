package io.baton.gateway.segmenting;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Every promise a document's segments make, checked against the text (byte-level tokenizer). */
final class SegmentChecks {

    private SegmentChecks() {
    }

    /** Collects the segments and checks them; returns them. */
    static List<Segment> check(String text, Iterator<Segment> iterator, int maxTokens, Cut cut,
            TextTokenizer tokenizer, SentenceSplitter splitter) {
        List<Segment> segments = new ArrayList<>();
        iterator.forEachRemaining(segments::add);
        String where = " (text of " + text.length() + " chars, max " + maxTokens + ", " + cut + " cut)";

        long tokenOffset = 0;
        long charEnd = 0;
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int k = 0; k < segments.size(); k++) {
            Segment segment = segments.get(k);
            String at = "segment " + k + where;
            assertEquals(k, segment.index(), at);
            assertEquals(tokenOffset, segment.tokenOffset(), "token offsets add up, " + at);
            assertTrue(segment.size() >= 1 && segment.size() <= maxTokens, "1.." + maxTokens + " tokens: " + segment.size() + ", " + at);
            assertEquals(charEnd, segment.chars().start(), "segments follow one another, " + at);
            assertTrue(!segment.sentences().isEmpty(), at);

            // the sentences tile the segment, in tokens and in characters
            int tokenAt = 0;
            long charAt = segment.chars().start();
            for (SegmentSentence part : segment.sentences()) {
                assertEquals(tokenAt, part.tokenStart(), "sentence token spans tile the segment, " + at);
                assertEquals(charAt, part.chars().start(), "sentence char spans tile the segment, " + at);
                String chars = text.substring((int) part.chars().start(), (int) part.chars().end());
                long[] tokens = java.util.Arrays.copyOfRange(segment.tokens(), part.tokenStart(), part.tokenEnd());
                assertArrayEquals(TestData.utf8Ids(chars), tokens, "a sentence's tokens are its characters' bytes, " + at);
                tokenAt = part.tokenEnd();
                charAt = part.chars().end();
            }
            assertEquals(segment.size(), tokenAt, at);
            assertEquals(segment.chars().end(), charAt, at);
            assertEquals(text.substring((int) segment.chars().start(), (int) segment.chars().end()),
                    tokenizer.decode(segment.tokens()), "a segment decodes to its characters, " + at);

            if (k > 0 && cut == Cut.EXACT) {
                // the previous segment is full, or short by less than the tokens of the character
                // that starts this one (a split never falls inside a character)
                Segment previous = segments.get(k - 1);
                int firstChar = Character.toString(text.codePointAt((int) segment.chars().start()))
                        .getBytes(StandardCharsets.UTF_8).length;
                assertTrue(previous.size() == maxTokens || maxTokens - previous.size() < firstChar,
                        "every segment but the last is full, up to one character: " + previous.size() + ", " + at);
            } else if (k > 0) {
                Segment previous = segments.get(k - 1);
                SegmentSentence first = segment.sentences().get(0);
                SegmentSentence last = previous.sentences().get(previous.sentences().size() - 1);
                if (first.sentence() == last.sentence()) {
                    // a sentence split across segments fills the segment it leaves, up to a character
                    assertTrue(previous.size() > maxTokens - 4, "a split fills its segment, " + at);
                } else {
                    int firstWhole = wholeSentenceTokens(segments, k, first.sentence());
                    assertTrue(previous.size() + firstWhole > maxTokens,
                            "a sentence starts a segment only when it does not fit in the previous one, " + at);
                }
            }
            for (int i = 1; i < segment.sentences().size(); i++) {
                SegmentSentence part = segment.sentences().get(i);
                SegmentSentence before = segment.sentences().get(i - 1);
                assertEquals(before.sentence() + 1, part.sentence(), "sentences in order, " + at);
            }
            all.writeBytes(toBytes(segment.tokens()));
            tokenOffset += segment.size();
            charEnd = segment.chars().end();
        }
        assertEquals(text.length(), charEnd, "the segments cover the text" + where);
        byte[] expected = text.getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(expected, all.toByteArray(), "the segments' tokens are the document's tokens" + where);
        assertEquals(text, tokenizer.decode(TestData.utf8Ids(text)), "and decode to the text" + where);

        // per sentence: its parts cover exactly the span the splitter gives it
        List<TextSpan> sentences = splitter.split(text);
        List<TextSpan> covered = new ArrayList<>();
        for (Segment segment : segments) {
            for (SegmentSentence part : segment.sentences()) {
                if (part.sentence() == covered.size() - 1) {
                    TextSpan before = covered.get(covered.size() - 1);
                    assertEquals(before.end(), part.chars().start());
                    covered.set(covered.size() - 1, new TextSpan(before.start(), part.chars().end()));
                } else {
                    assertEquals(covered.size(), part.sentence(), "sentence numbers have no gap" + where);
                    covered.add(part.chars());
                }
            }
        }
        assertEquals(sentences, covered, "every sentence's parts cover its span" + where);
        return segments;
    }

    /** The tokens of sentence {@code index}, which starts segment {@code k}, over all its parts. */
    private static int wholeSentenceTokens(List<Segment> segments, int k, long index) {
        int tokens = 0;
        for (int j = k; j < segments.size(); j++) {
            for (SegmentSentence part : segments.get(j).sentences()) {
                if (part.sentence() == index) {
                    tokens += part.tokenCount();
                } else if (part.sentence() > index) {
                    return tokens;
                }
            }
        }
        return tokens;
    }

    static byte[] toBytes(long[] ids) {
        byte[] bytes = new byte[ids.length];
        for (int i = 0; i < ids.length; i++) {
            bytes[i] = (byte) ids[i];
        }
        return bytes;
    }
}
