package io.baton.standalone;

import java.io.PrintStream;

/**
 * The launcher's progress on stderr, for {@code ./baton summarize} and {@code ./baton batch}: a
 * bar redrawn in place with carriage returns when {@code -Dbaton.progress=tty} (which {@code
 * ./baton} sets when stderr is a terminal), otherwise one line per tenth of the way.
 */
final class ProgressBar {

    private static final int WIDTH = 30;

    private final PrintStream err;
    private final boolean tty;
    private int lastTenth = -1;

    ProgressBar(PrintStream err, boolean tty) {
        this.err = err;
        this.tty = tty;
    }

    /** On {@code System.err}, redrawn when {@code baton.progress} is {@code tty}. */
    static ProgressBar onStderr() {
        return new ProgressBar(System.err, "tty".equals(System.getProperty("baton.progress")));
    }

    /** Shows {@code line} at {@code fraction} (0 to 1) of the way. */
    void show(double fraction, CharSequence line) {
        if (tty) {
            int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * WIDTH);
            err.print("\r[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] " + line + "\u001b[K");
            err.flush();
        } else {
            int tenth = (int) Math.floor(fraction * 10);
            if (tenth != lastTenth) {
                lastTenth = tenth;
                err.println(line);
            }
        }
    }

    /** Ends the bar's line (a terminal's). */
    void finish() {
        if (tty) {
            err.println();
        }
    }
}
