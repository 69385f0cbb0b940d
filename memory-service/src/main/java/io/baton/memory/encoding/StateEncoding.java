package io.baton.memory.encoding;

import com.github.luben.zstd.Zstd;
import io.baton.common.state.ReadOptions;
import io.baton.common.state.StateCodec;
import io.baton.common.state.StateContainer;
import io.baton.common.state.StateFormatException;
import io.baton.memory.MemoryProperties;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How a checkpoint's container is kept in the store, and how it is given back. Pure functions of
 * their input, deterministic (the same container gives the same stored bytes, so an identical
 * repeat of a put still compares equal in the store).
 *
 * <p>Writing applies the optional {@link Downcast} of F32 tensors (recorded in the container's
 * metadata, see {@link #RESERVED_METADATA}) and then the optional zstd {@link Compression}. With
 * both off the stored bytes are the client's bytes, the same array. Reading recognises a zstd
 * frame by its magic number ({@link ZstdFrames}) and a downcast by its metadata, whatever the
 * configuration is now, so changing it never strands stored checkpoints. A checkpoint stored
 * without downcast reads back bit for bit; one stored with downcast reads back as an F32
 * container with the same tensors, metadata and order, values within the bound {@link Downcast}
 * states, laid out by {@link StateCodec#write}.
 */
public final class StateEncoding {

    /** Metadata keys the encoding writes into stored containers; clients may not send them. */
    public static final Set<String> RESERVED_METADATA =
            Set.of(TensorDowncast.DOWNCAST_KEY, TensorDowncast.TENSORS_KEY);

    private static final StateEncoding IDENTITY = new StateEncoding(Compression.NONE, 3, Downcast.NONE);

    private final Compression compression;
    private final int zstdLevel;
    private final Downcast downcast;

    /**
     * @throws IllegalArgumentException if {@code zstdLevel} is outside zstd's levels
     */
    public StateEncoding(Compression compression, int zstdLevel, Downcast downcast) {
        this.compression = Objects.requireNonNull(compression, "compression");
        this.downcast = Objects.requireNonNull(downcast, "downcast");
        if (zstdLevel < Zstd.minCompressionLevel() || zstdLevel > Zstd.maxCompressionLevel()) {
            throw new IllegalArgumentException("baton.encoding.zstd-level must be within "
                    + Zstd.minCompressionLevel() + ".." + Zstd.maxCompressionLevel() + ", not " + zstdLevel);
        }
        this.zstdLevel = zstdLevel;
    }

    /** The encoding configured by {@code baton.encoding}. */
    public static StateEncoding of(MemoryProperties.Encoding encoding) {
        return new StateEncoding(Compression.parse(encoding.compression()), encoding.zstdLevel(),
                Downcast.parse(encoding.downcast()));
    }

    /** Neither compression nor downcast: stored bytes are the client's bytes. */
    public static StateEncoding identity() {
        return IDENTITY;
    }

    public Compression compression() {
        return compression;
    }

    public Downcast downcast() {
        return downcast;
    }

    /** Whether writing changes the client's bytes (compression or downcast on). */
    public boolean transforms() {
        return compression != Compression.NONE || downcast != Downcast.NONE;
    }

    /**
     * The bytes to store for the container {@code bytes}, which {@code container} was read from
     * (and validated). Returns {@code bytes} itself when nothing is to change.
     */
    public byte[] encode(byte[] bytes, StateContainer container) {
        StateContainer narrowed = TensorDowncast.narrow(container, downcast);
        byte[] plain = narrowed == container ? bytes : toBytes(narrowed);
        return compression == Compression.ZSTD ? ZstdFrames.compress(plain, zstdLevel) : plain;
    }

    /**
     * Whether decoding {@code stored} does real work (decompressing, widening) rather than only
     * checking its header; callers move such work off the event loop.
     */
    public boolean decodes(byte[] stored) {
        return ZstdFrames.isFrame(stored) || TensorDowncast.mentionedIn(stored);
    }

    /** A checkpoint as given back: the container's bytes and its metadata. */
    public record Decoded(byte[] bytes, Map<String, String> metadata) {
    }

    /**
     * The container to give back for the stored bytes {@code stored}: decompressed and widened as
     * recorded. Its bytes are {@code stored} itself when it was stored as it came.
     *
     * @throws CorruptCheckpointException if the stored bytes do not decode
     */
    public Decoded decode(byte[] stored, ReadOptions options) {
        byte[] plain = ZstdFrames.isFrame(stored) ? ZstdFrames.decompress(stored) : stored;
        StateContainer container = read(plain, options);
        if (!TensorDowncast.isNarrowed(container)) {
            return new Decoded(plain, container.metadata());
        }
        StateContainer widened = TensorDowncast.widen(container);
        return new Decoded(toBytes(widened), widened.metadata());
    }

    /**
     * {@code stored} with the metadata {@code entries} set, keeping how it is stored (compressed
     * stays compressed, narrowed stays narrowed); used when a fork names its new document.
     *
     * @throws CorruptCheckpointException if the stored bytes do not decode
     */
    public byte[] withMetadata(byte[] stored, Map<String, String> entries, ReadOptions options) {
        boolean compressed = ZstdFrames.isFrame(stored);
        byte[] plain = compressed ? ZstdFrames.decompress(stored) : stored;
        byte[] rewritten = toBytes(read(plain, options).toBuilder().metadata(entries).build());
        return compressed ? ZstdFrames.compress(rewritten, zstdLevel) : rewritten;
    }

    private static StateContainer read(byte[] plain, ReadOptions options) {
        try {
            return StateCodec.read(ByteBuffer.wrap(plain), options);
        } catch (StateFormatException e) {
            throw new CorruptCheckpointException("stored checkpoint is not a valid container: "
                    + e.getMessage(), e);
        }
    }

    /** The file of {@code container}; {@link StateCodec#write} sizes its buffer exactly. */
    private static byte[] toBytes(StateContainer container) {
        ByteBuffer file = StateCodec.write(container);
        byte[] array = file.array();
        return file.arrayOffset() == 0 && file.limit() == array.length ? array
                : Arrays.copyOfRange(array, file.arrayOffset(), file.arrayOffset() + file.limit());
    }

    @Override
    public String toString() {
        return "StateEncoding[compression=" + compression.configName()
                + (compression == Compression.ZSTD ? " level " + zstdLevel : "")
                + ", downcast=" + downcast.configName() + "]";
    }
}
