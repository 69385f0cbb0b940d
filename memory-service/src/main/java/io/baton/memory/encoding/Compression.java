package io.baton.memory.encoding;

import java.util.Locale;

/** Compression of stored checkpoints ({@code baton.encoding.compression}). */
public enum Compression {

    /** Stored as they are. */
    NONE,
    /** One zstd frame (see {@link ZstdFrames}). */
    ZSTD;

    /** The configuration name: {@code none} or {@code zstd}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The compression named {@code name} (case-insensitive).
     *
     * @throws IllegalArgumentException for any other name
     */
    public static Compression parse(String name) {
        for (Compression compression : values()) {
            if (compression.configName().equalsIgnoreCase(name)) {
                return compression;
            }
        }
        throw new IllegalArgumentException("baton.encoding.compression must be none or zstd, not '"
                + name + "'");
    }
}
