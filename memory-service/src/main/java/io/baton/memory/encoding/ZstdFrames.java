package io.baton.memory.encoding;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;

/**
 * Stored checkpoints as single zstd frames (RFC 8878), with the content size and a checksum in
 * the frame.
 *
 * <p>Stored bytes are recognised as compressed by their first four bytes, the zstd magic number
 * 0xFD2FB528 (little-endian: {@code 28 B5 2F FD}). A safetensors file can never start with
 * them: its first 8 bytes are its header length, little-endian, and those four bytes as the low
 * half of it mean a header of at least 0xFD2FB528 = 4,247,762,216 bytes, beyond the 2 GiB a
 * container may have (one {@code ByteBuffer}) and far beyond the configured header limit
 * ({@code baton.limits.max-header-bytes}, 1 MiB by default). So no configuration flag is needed to
 * read what was written under another one: plain and compressed checkpoints can sit side by side.
 *
 * <p>Compression is deterministic for a given level and zstd-jni version (single-threaded, no
 * dictionary), so an identical repeat of a put produces identical stored bytes.
 */
public final class ZstdFrames {

    /** The zstd frame magic number, as read little-endian from the first four bytes. */
    public static final int MAGIC = 0xFD2FB528;

    /** The largest decompressed checkpoint accepted (what one array holds). */
    private static final long MAX_CONTENT = Integer.MAX_VALUE - 8;

    private ZstdFrames() {
    }

    /** Whether {@code bytes} start with the zstd frame magic number. */
    public static boolean isFrame(byte[] bytes) {
        return bytes.length >= 4
                && (bytes[0] & 0xff) == 0x28 && (bytes[1] & 0xff) == 0xb5
                && (bytes[2] & 0xff) == 0x2f && (bytes[3] & 0xff) == 0xfd;
    }

    /** {@code bytes} as one zstd frame at {@code level}, content size and checksum included. */
    public static byte[] compress(byte[] bytes, int level) {
        try (ZstdCompressCtx context = new ZstdCompressCtx()) {
            context.setLevel(level);
            context.setContentSize(true);
            context.setChecksum(true);
            return context.compress(bytes);
        }
    }

    /**
     * The content of the single zstd frame {@code frame}.
     *
     * @throws CorruptCheckpointException if the frame is damaged, or its size is unknown or too big
     */
    public static byte[] decompress(byte[] frame) {
        long size = Zstd.getFrameContentSize(frame);
        if (size < 0 || size > MAX_CONTENT) {
            throw new CorruptCheckpointException("stored zstd frame declares no usable content size ("
                    + size + ")");
        }
        try (ZstdDecompressCtx context = new ZstdDecompressCtx()) {
            byte[] content = context.decompress(frame, (int) size);
            if (content.length != size) {
                throw new CorruptCheckpointException("stored zstd frame holds " + content.length
                        + " bytes, its header says " + size);
            }
            return content;
        } catch (ZstdException e) {
            throw new CorruptCheckpointException("stored zstd frame does not decompress: "
                    + e.getMessage(), e);
        }
    }
}
