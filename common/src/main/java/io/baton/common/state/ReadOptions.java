package io.baton.common.state;

/**
 * Limits a {@link StateCodec} reader enforces on untrusted input.
 *
 * @param maxHeaderBytes the longest JSON header accepted, in bytes (padding included); longer
 *     headers are refused before any of them is parsed
 */
public record ReadOptions(int maxHeaderBytes) {

    /** Default header limit: 1 MiB, room for tens of thousands of tensor entries. */
    public static final int DEFAULT_MAX_HEADER_BYTES = 1 << 20;

    private static final ReadOptions DEFAULTS = new ReadOptions(DEFAULT_MAX_HEADER_BYTES);

    public ReadOptions {
        if (maxHeaderBytes <= 0) {
            throw new IllegalArgumentException("maxHeaderBytes must be positive: " + maxHeaderBytes);
        }
    }

    /** The default limits. */
    public static ReadOptions defaults() {
        return DEFAULTS;
    }

    /** These options with another header limit. */
    public ReadOptions withMaxHeaderBytes(int bytes) {
        return new ReadOptions(bytes);
    }
}
