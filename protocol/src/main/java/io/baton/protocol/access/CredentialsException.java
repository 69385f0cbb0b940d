package io.baton.protocol.access;

import io.baton.protocol.problems.BatonException;
import io.baton.protocol.problems.ProblemType;

/**
 * A request to a service's {@code /v1/**} without a credential the service accepts: 401, type
 * {@code missing-credentials} (no {@code Authorization} header, and no verified client
 * certificate) or {@code invalid-credentials} (a token that is not the service token, or not a
 * {@code Bearer} one). The message never repeats what was sent. {@link #challenge()} is the
 * {@code WWW-Authenticate} value of the answer (RFC 6750).
 */
public final class CredentialsException extends BatonException {

    private static final long serialVersionUID = 1L;

    /** The challenge of a request that sent no credential. */
    public static final String CHALLENGE = "Bearer";

    /** The challenge of a request whose token was refused. */
    public static final String INVALID_TOKEN_CHALLENGE = "Bearer error=\"invalid_token\"";

    private final ProblemType type;
    private final String challenge;

    private CredentialsException(ProblemType type, String message, String challenge) {
        super(message);
        this.type = type;
        this.challenge = challenge;
    }

    /** Nothing was sent; {@code needed} says what would do, e.g. "the service token". */
    static CredentialsException missing(String service, String needed) {
        return new CredentialsException(ProblemType.MISSING_CREDENTIALS, "the " + service + " answers only callers "
                + "of the platform: send " + needed, CHALLENGE);
    }

    /** What was sent is not a credential this service accepts; {@code why} says what is wrong with it. */
    static CredentialsException invalid(String service, String why) {
        return new CredentialsException(ProblemType.INVALID_CREDENTIALS, "the " + service + " refused the credential: "
                + why, INVALID_TOKEN_CHALLENGE);
    }

    @Override
    public ProblemType type() {
        return type;
    }

    /** The {@code WWW-Authenticate} header of the 401. */
    public String challenge() {
        return challenge;
    }
}
