package io.baton.gateway.segmenting;

import io.baton.gateway.GatewayException;
import io.baton.protocol.problems.ProblemType;

/** A model's {@code tokenizer.json} is missing, unreadable or not a Hugging Face tokenizer. */
public final class TokenizerLoadException extends GatewayException {

    private static final long serialVersionUID = 1L;

    public TokenizerLoadException(String message) {
        super(message);
    }

    public TokenizerLoadException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ProblemType type() {
        return ProblemType.TOKENIZER_LOAD;
    }
}
