package io.baton.memory.encoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.common.state.DType;
import io.baton.common.state.ReadOptions;
import io.baton.common.state.StateCodec;
import io.baton.common.state.StateContainer;
import io.baton.common.state.StateFormatException;
import io.baton.common.state.Tensor;
import io.baton.memory.Checkpoints;
import io.baton.memory.MemoryProperties;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Stored encodings: identity, zstd, downcast, their combination, determinism and damage. */
class StateEncodingTest {

    private static final ReadOptions OPTIONS = ReadOptions.defaults();

    private final StateContainer container =
            Checkpoints.container(Checkpoints.metadata("t1", "doc", 4), 4, 4096);
    private final byte[] bytes = Checkpoints.bytes(container);

    private static StateEncoding encoding(String compression, String downcast) {
        return StateEncoding.of(new MemoryProperties.Encoding(compression, 3, downcast));
    }

    private byte[] encode(StateEncoding encoding) {
        return encoding.encode(bytes, StateCodec.read(ByteBuffer.wrap(bytes)));
    }

    @Test
    void defaultsStoreTheClientsBytesThemselves() {
        StateEncoding encoding = StateEncoding.of(new MemoryProperties.Encoding("none", 3, "none"));
        byte[] stored = encode(encoding);
        assertThat(stored).isSameAs(bytes);
        assertThat(encoding.decode(stored, OPTIONS).bytes()).isSameAs(stored);
    }

    @Test
    void zstdRoundTripsBitExactAndIsRecognisedByItsMagicNumber() {
        byte[] stored = encode(encoding("zstd", "none"));
        assertThat(Arrays.copyOf(stored, 4)).containsExactly(0x28, 0xb5, 0x2f, 0xfd);
        assertThat(ZstdFrames.isFrame(stored)).isTrue();
        assertThat(ZstdFrames.isFrame(bytes)).isFalse();
        // any encoding reads it back, whatever it is configured to write now
        assertThat(StateEncoding.identity().decode(stored, OPTIONS).bytes()).isEqualTo(bytes);
        assertThat(encoding("none", "bf16").decode(stored, OPTIONS).bytes()).isEqualTo(bytes);
    }

    @Test
    void zstdShrinksRedundantState() {
        byte[] zeros = Checkpoints.bytes(StateContainer.builder()
                .metadata(Checkpoints.metadata("t1", "doc", 0))
                .tensor("present_ssm.0", DType.F32, new long[] {1 << 16}, ByteBuffer.allocate(1 << 18))
                .build());
        byte[] stored = encoding("zstd", "none").encode(zeros, StateCodec.read(ByteBuffer.wrap(zeros)));
        assertThat(stored.length).isLessThan(zeros.length / 50);
    }

    @Test
    void aSafetensorsFileCannotStartWithTheZstdMagicNumber() {
        // A header length whose low four bytes are the magic is >= 4,247,762,216 bytes: the codec
        // refuses it under any header limit a ByteBuffer allows, so the two never collide.
        ByteBuffer file = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        file.putInt(ZstdFrames.MAGIC).putInt(0).flip();
        assertThat(ZstdFrames.isFrame(Arrays.copyOf(file.array(), 64))).isTrue();
        assertThat(Integer.toUnsignedLong(ZstdFrames.MAGIC)).isGreaterThan(Integer.MAX_VALUE);
        assertThatThrownBy(() -> StateCodec.read(file, ReadOptions.defaults().withMaxHeaderBytes(Integer.MAX_VALUE)))
                .isInstanceOf(StateFormatException.class);
    }

    @Test
    void encodingIsDeterministic() {
        for (StateEncoding encoding : new StateEncoding[] {encoding("zstd", "none"), encoding("none", "f16"),
                encoding("zstd", "bf16")}) {
            byte[] copy = bytes.clone();
            byte[] again = encoding.encode(copy, StateCodec.read(ByteBuffer.wrap(copy)));
            assertThat(again).as(encoding.toString()).isEqualTo(encode(encoding));
        }
    }

    @Test
    void f16DowncastHalvesF32TensorsAndReadsBackWithinTheBound() {
        StateEncoding encoding = encoding("none", "f16");
        byte[] stored = encode(encoding);
        StateContainer kept = StateCodec.read(ByteBuffer.wrap(stored));
        assertThat(kept.tensor("present_ssm.0").orElseThrow().dtype()).isEqualTo(DType.F16);
        assertThat(kept.metadata()).containsEntry("baton.downcast", "f16")
                .containsEntry("baton.downcast_tensors", "[\"present_ssm.0\"]");
        assertThat(stored.length).isLessThan(bytes.length - 4096 * 2 + 100);

        StateContainer back = StateCodec.read(ByteBuffer.wrap(encoding.decode(stored, OPTIONS).bytes()));
        assertWithinBound(back, 0x1.0p-11, 0x1.0p-25);
    }

    @Test
    void bf16DowncastReadsBackWithinTheBoundAndWithZstdToo() {
        StateEncoding encoding = encoding("zstd", "bf16");
        byte[] stored = encode(encoding);
        assertThat(ZstdFrames.isFrame(stored)).isTrue();
        StateContainer back = StateCodec.read(ByteBuffer.wrap(encoding.decode(stored, OPTIONS).bytes()));
        assertWithinBound(back, 0x1.0p-8, 0x1.0p-134);
    }

    /** Same names, order, metadata and dtypes; non-F32 bit exact; F32 within the bound. */
    private void assertWithinBound(StateContainer back, double relative, double absoluteBelowNormal) {
        assertThat(back.metadata()).isEqualTo(container.metadata());
        assertThat(back.tensors()).extracting(Tensor::name)
                .containsExactlyElementsOf(container.tensors().stream().map(Tensor::name).toList());
        for (Tensor original : container.tensors()) {
            Tensor read = back.tensor(original.name()).orElseThrow();
            assertThat(read.dtype()).isEqualTo(original.dtype());
            assertThat(read.shape()).isEqualTo(original.shape());
            if (original.dtype() != DType.F32) {
                assertThat(read).isEqualTo(original);
                continue;
            }
            FloatBuffer want = original.data().asFloatBuffer();
            FloatBuffer got = read.data().asFloatBuffer();
            while (want.hasRemaining()) {
                float expected = want.get();
                float actual = got.get();
                double error = Math.abs((double) actual - expected);
                if (Math.abs(expected) >= 0x1.0p-14) {
                    assertThat(error / Math.abs(expected)).isLessThanOrEqualTo(relative);
                } else {
                    assertThat(error).isLessThanOrEqualTo(Math.max(absoluteBelowNormal, relative * 0x1.0p-14));
                }
            }
        }
    }

    @Test
    void anF32TensorBeyondHalfRangeStaysF32Whole() {
        float[] values = {1.5f, -70000f, 3.25f, Float.NaN, Float.POSITIVE_INFINITY, -0f};
        ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            data.putFloat(value);
        }
        StateContainer wide = StateContainer.builder().metadata(Checkpoints.metadata("t1", "doc", 0))
                .tensor("big", DType.F32, new long[] {values.length}, data.flip())
                .tensor("small", DType.F32, new long[] {2}, Checkpoints.floats(new Random(1), 2))
                .build();
        byte[] file = Checkpoints.bytes(wide);
        StateEncoding encoding = encoding("none", "f16");
        byte[] stored = encoding.encode(file, StateCodec.read(ByteBuffer.wrap(file)));
        StateContainer kept = StateCodec.read(ByteBuffer.wrap(stored));
        assertThat(kept.tensor("big").orElseThrow().dtype()).isEqualTo(DType.F32);
        assertThat(kept.tensor("small").orElseThrow().dtype()).isEqualTo(DType.F16);
        assertThat(kept.metadata()).containsEntry("baton.downcast_tensors", "[\"small\"]");

        StateContainer back = StateCodec.read(ByteBuffer.wrap(encoding.decode(stored, OPTIONS).bytes()));
        assertThat(back.tensor("big")).isEqualTo(wide.tensor("big"));
        assertThat(back.tensor("small").orElseThrow().dtype()).isEqualTo(DType.F32);
    }

    @Test
    void aContainerWithoutF32IsStoredAsItCame() {
        StateContainer noFloats = StateContainer.builder().metadata(Checkpoints.metadata("t1", "doc", 0))
                .tensor("ids", DType.I64, new long[] {3}, ByteBuffer.allocate(24)).build();
        byte[] file = Checkpoints.bytes(noFloats);
        assertThat(encoding("none", "bf16").encode(file, noFloats)).isSameAs(file);
    }

    @Test
    void specialFloatsSurviveADowncast() {
        float[] values = {Float.NaN, Float.NEGATIVE_INFINITY, -0f, 0f, 1e-30f};
        ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            data.putFloat(value);
        }
        StateContainer special = StateContainer.builder().tensor("s", DType.F32, new long[] {5}, data.flip()).build();
        byte[] file = Checkpoints.bytes(special);
        StateEncoding encoding = encoding("none", "f16");
        FloatBuffer back = StateCodec.read(ByteBuffer.wrap(encoding.decode(
                encoding.encode(file, special), OPTIONS).bytes())).tensor("s").orElseThrow().data().asFloatBuffer();
        assertThat(back.get(0)).isNaN();
        assertThat(back.get(1)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(Float.floatToRawIntBits(back.get(2))).isEqualTo(Float.floatToRawIntBits(-0f));
        assertThat(back.get(3)).isEqualTo(0f);
        assertThat(back.get(4)).isEqualTo(0f);
    }

    @Test
    void withMetadataKeepsTheStoredEncoding() {
        StateEncoding encoding = encoding("zstd", "f16");
        byte[] stored = encode(encoding);
        byte[] forked = StateEncoding.identity().withMetadata(stored, Map.of("baton.document", "fork"), OPTIONS);
        assertThat(ZstdFrames.isFrame(forked)).isTrue();
        StateContainer kept = StateCodec.read(ByteBuffer.wrap(ZstdFrames.decompress(forked)));
        assertThat(kept.metadata()).containsEntry("baton.document", "fork").containsEntry("baton.downcast", "f16");
        StateContainer back = StateCodec.read(ByteBuffer.wrap(encoding.decode(forked, OPTIONS).bytes()));
        assertThat(back.metadata()).containsEntry("baton.document", "fork").doesNotContainKey("baton.downcast");
        assertThat(back.tensor("positions")).isEqualTo(container.tensor("positions"));
    }

    @Test
    void damagedStoredBytesAreACorruptCheckpoint() {
        byte[] stored = encode(encoding("zstd", "none"));
        stored[stored.length / 2] ^= 0x55;
        assertThatThrownBy(() -> StateEncoding.identity().decode(stored, OPTIONS).bytes())
                .isInstanceOf(CorruptCheckpointException.class)
                .extracting(e -> ((CorruptCheckpointException) e).status()).isEqualTo(500);
        assertThatThrownBy(() -> StateEncoding.identity().decode(new byte[] {1, 2, 3}, OPTIONS).bytes())
                .isInstanceOf(CorruptCheckpointException.class);
    }

    @Test
    void onlyCompressedOrNarrowedCheckpointsNeedDecodingWork() {
        StateEncoding any = StateEncoding.identity();
        assertThat(any.decodes(bytes)).isFalse();
        assertThat(any.decodes(encode(encoding("zstd", "none")))).isTrue();
        assertThat(any.decodes(encode(encoding("none", "f16")))).isTrue();
        assertThat(any.decodes(new byte[] {1, 2})).isFalse();
    }

    @Test
    void unknownSettingsAreRefused() {
        assertThatThrownBy(() -> encoding("gzip", "none")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("compression");
        assertThatThrownBy(() -> encoding("none", "fp8")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("downcast");
        assertThatThrownBy(() -> new StateEncoding(Compression.ZSTD, 99, Downcast.NONE))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
