package io.baton.memory;

import io.baton.common.state.DType;
import io.baton.common.state.StateCodec;
import io.baton.common.state.StateContainer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Test fixture: state containers as a client of the memory service writes them, with the
 * required {@code baton.*} metadata and seeded random tensors.
 */
public final class Checkpoints {

    public static final String MODEL = "jamba-tiny";
    public static final String DIGEST = "sha256:" + "ab".repeat(32);

    private Checkpoints() {
    }

    /** The metadata a valid checkpoint n of {@code tenant}/{@code document} carries. */
    public static Map<String, String> metadata(String tenant, String document, long segment) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("baton.format", "1");
        metadata.put("baton.model", MODEL);
        metadata.put("baton.model_digest", DIGEST);
        metadata.put("baton.tenant", tenant);
        metadata.put("baton.document", document);
        metadata.put("baton.segment", Long.toString(segment));
        metadata.put("baton.tokens", Long.toString(64 * (segment + 1)));
        metadata.put("baton.retention", "last:64");
        return metadata;
    }

    /** A valid checkpoint n with one small tensor of each of F32, F16, BF16 and I64. */
    public static byte[] checkpoint(String tenant, String document, long segment) {
        return bytes(container(metadata(tenant, document, segment), segment, 64));
    }

    /** A container with {@code metadata} and about {@code elements} elements per dtype. */
    public static StateContainer container(Map<String, String> metadata, long seed, int elements) {
        Random random = new Random(seed);
        return StateContainer.builder()
                .metadata(metadata)
                .tensor("present_ssm.0", DType.F32, new long[] {1, elements}, floats(random, elements))
                .tensor("present.1.key", DType.F16, new long[] {1, elements}, randomBytes(random, elements * 2))
                .tensor("present.1.value", DType.BF16, new long[] {1, elements}, randomBytes(random, elements * 2))
                .tensor("positions", DType.I64, new long[] {elements}, randomBytes(random, elements * 8))
                .build();
    }

    /** A container with one F32 tensor of {@code bytes / 4} elements (for sized payloads). */
    public static byte[] sized(Map<String, String> metadata, long seed, int bytes) {
        Random random = new Random(seed);
        int elements = bytes / 4;
        return bytes(StateContainer.builder().metadata(metadata)
                .tensor("present_ssm.0", DType.F32, new long[] {elements}, floats(random, elements))
                .build());
    }

    /** A container of exactly {@code total} bytes: an F32 tensor and a U8 tensor filling the rest. */
    public static byte[] exactly(Map<String, String> metadata, long seed, int total) {
        int pad = 0;
        for (int attempt = 0; attempt < 8; attempt++) {
            int elements = (total - 4096) / 4;
            Random random = new Random(seed);
            byte[] bytes = bytes(StateContainer.builder().metadata(metadata)
                    .tensor("present_ssm.0", DType.F32, new long[] {elements}, floats(random, elements))
                    .tensor("pad", DType.U8, new long[] {pad}, ByteBuffer.allocate(pad))
                    .build());
            if (bytes.length == total) {
                return bytes;
            }
            pad = Math.max(0, pad + total - bytes.length);
        }
        throw new IllegalArgumentException("no container of exactly " + total + " bytes");
    }

    /** Normally distributed F32 values, as real state mostly is. */
    public static ByteBuffer floats(Random random, int count) {
        ByteBuffer buffer = ByteBuffer.allocate(count * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            buffer.putFloat((float) random.nextGaussian());
        }
        return buffer.flip();
    }

    public static ByteBuffer randomBytes(Random random, int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return ByteBuffer.wrap(bytes);
    }

    /** The file of {@code container}. */
    public static byte[] bytes(StateContainer container) {
        ByteBuffer file = StateCodec.write(container);
        byte[] out = new byte[file.remaining()];
        file.get(out);
        return out;
    }
}
