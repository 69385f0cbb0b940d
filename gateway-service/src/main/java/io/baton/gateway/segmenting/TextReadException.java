package io.baton.gateway.segmenting;

import io.baton.common.BatonException;
import java.io.IOException;

/** Reading a document's text failed while it was being split or segmented. */
public final class TextReadException extends BatonException {

    private static final long serialVersionUID = 1L;

    public TextReadException(IOException cause) {
        super("reading the text failed: " + cause.getMessage(), cause);
    }

    @Override
    public String type() {
        return "text-read";
    }
}
