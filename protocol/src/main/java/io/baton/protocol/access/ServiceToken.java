package io.baton.protocol.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The secret the services of one platform share ({@code baton.service-token}, {@code
 * BATON_SERVICE_TOKEN}): a caller sends it as {@code Authorization: Bearer <token>}, a service
 * compares what it gets in constant time. 16 to 256 printable characters without spaces ({@code
 * openssl rand -hex 32} makes a good one). Bound from a plain string ({@link #of}: blank means
 * none); {@link #toString()} never shows it.
 */
public record ServiceToken(String value) {

    /** The shortest token accepted. */
    public static final int MIN_LENGTH = 16;

    /** The longest token accepted. */
    public static final int MAX_LENGTH = 256;

    private static final Pattern SHAPE = Pattern.compile("\\p{Graph}{" + MIN_LENGTH + "," + MAX_LENGTH + "}");

    public ServiceToken {
        Objects.requireNonNull(value, "value");
        if (!SHAPE.matcher(value).matches()) {
            throw new IllegalArgumentException("baton.service-token must be " + MIN_LENGTH + " to " + MAX_LENGTH
                    + " printable characters without spaces (openssl rand -hex 32 makes one), got "
                    + value.length() + " characters");
        }
    }

    /**
     * The token {@code value} names; null when it is null or blank (an empty {@code
     * BATON_SERVICE_TOKEN} is no token). The configuration binder converts a string through this.
     */
    public static ServiceToken of(String value) {
        return value == null || value.isBlank() ? null : new ServiceToken(value.strip());
    }

    /**
     * Whether {@code presented} is this token. Both are hashed first and the digests compared with
     * {@link MessageDigest#isEqual}, so the time taken says nothing about how much of the token a
     * guess got right, nor about its length.
     */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(digest(presented), digest(value));
    }

    /** The value of an {@code Authorization} header carrying this token. */
    public String bearer() {
        return "Bearer " + value;
    }

    @Override
    public String toString() {
        return "ServiceToken[****]";
    }

    private static byte[] digest(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
