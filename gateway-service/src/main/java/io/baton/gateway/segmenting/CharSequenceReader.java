package io.baton.gateway.segmenting;

import java.io.Reader;

/** A {@link Reader} over a {@link CharSequence}, without copying it. */
final class CharSequenceReader extends Reader {

    private final CharSequence text;
    private int position;

    CharSequenceReader(CharSequence text) {
        this.text = text;
    }

    @Override
    public int read(char[] buffer, int offset, int length) {
        if (position >= text.length()) {
            return -1;
        }
        int n = Math.min(length, text.length() - position);
        if (text instanceof String string) {
            string.getChars(position, position + n, buffer, offset);
        } else {
            for (int i = 0; i < n; i++) {
                buffer[offset + i] = text.charAt(position + i);
            }
        }
        position += n;
        return n;
    }

    @Override
    public void close() {
        // nothing to release
    }
}
