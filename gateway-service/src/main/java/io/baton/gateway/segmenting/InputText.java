package io.baton.gateway.segmenting;

/**
 * The checks a text passes before any of it is processed, so that a bad text is refused before
 * anything is stored (a failure found while segmenting would come after earlier segments were).
 *
 * <ul>
 *   <li>empty or only whitespace: {@link EmptyTextException};
 *   <li>a UTF-16 surrogate without its partner (no UTF-8 form): {@link MalformedTextException};
 *   <li>binary data: a NUL character (U+0000) anywhere, or control characters other than tab,
 *       line feed, vertical tab, form feed and carriage return (C0, DEL and C1 controls) making up
 *       more than {@value #MAX_CONTROL_PERCENT}% of the characters: {@link BinaryTextException}.
 *       Text never holds a NUL; a few stray controls (an escape sequence in a log) are accepted.
 * </ul>
 */
public final class InputText {

    /** The largest share of control characters, in percent of the text's characters, text may hold. */
    public static final int MAX_CONTROL_PERCENT = 1;

    private InputText() {
    }

    /** Refuses {@code text} when it fails a check (see the class comment). */
    public static void check(String text) {
        if (text == null || text.isBlank()) {
            throw new EmptyTextException();
        }
        long controls = 0;
        int firstControl = -1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new MalformedTextException(String.format("the text holds an unpaired UTF-16 surrogate U+%04X at "
                        + "character %d; it is not Unicode text", (int) c, i));
            } else if (c == 0) {
                throw new BinaryTextException("the text holds a NUL character (U+0000) at character " + i
                        + "; binary data is not text", i, controls + 1);
            } else if (isControl(c)) {
                controls++;
                firstControl = firstControl < 0 ? i : firstControl;
            }
        }
        if (controls * 100 > (long) text.length() * MAX_CONTROL_PERCENT) {
            throw new BinaryTextException(controls + " of the text's " + text.length() + " characters are control "
                    + "characters (more than " + MAX_CONTROL_PERCENT + "%); binary data is not text", firstControl, controls);
        }
    }

    /** A C0 control other than tab, LF, VT, FF, CR; DEL; a C1 control. */
    static boolean isControl(char c) {
        return c < 0x20 && c != '\t' && c != '\n' && c != 0x0B && c != '\f' && c != '\r' || c >= 0x7F && c <= 0x9F;
    }
}
