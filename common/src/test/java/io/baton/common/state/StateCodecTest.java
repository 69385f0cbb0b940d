package io.baton.common.state;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.common.state.StateFormatException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class StateCodecTest {

    // ---- round trips ----

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyDtypeRoundTripsBitExactly(DType dtype) {
        byte[] bytes = randomBytes(2 * 3 * dtype.byteSize(), dtype.ordinal());
        StateContainer written = StateContainer.builder()
                .tensor("t", dtype, new long[] {2, 3}, ByteBuffer.wrap(bytes))
                .build();

        StateContainer read = roundTrip(written);

        assertThat(read).isEqualTo(written);
        Tensor tensor = read.tensor("t").orElseThrow();
        assertThat(tensor.dtype()).isEqualTo(dtype);
        assertThat(tensor.shape()).containsExactly(2, 3);
        assertThat(bytesOf(tensor)).isEqualTo(bytes);
    }

    @Test
    void f32NanPayloadsAndNegativeZeroSurvive() {
        int[] bits = {0x7fc0_0001, 0xffc0_1234, 0x7f80_0001, 0x8000_0000, 0x0000_0001, 0x7f80_0000};
        ByteBuffer data = ByteBuffer.allocate(bits.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int b : bits) {
            data.putInt(b);
        }
        Tensor read = roundTripOne(new Tensor("f", DType.F32, new long[] {bits.length}, data.flip()));

        ByteBuffer out = read.data();
        for (int i = 0; i < bits.length; i++) {
            assertThat(out.getInt(i * 4)).as("element %d", i).isEqualTo(bits[i]);
        }
        assertThat(out.getFloat(12)).isEqualTo(-0.0f);
    }

    @Test
    void f64NanPayloadsAndNegativeZeroSurvive() {
        long[] bits = {0x7ff8_0000_0000_0001L, 0xfff0_0000_dead_beefL, 0x8000_0000_0000_0000L};
        ByteBuffer data = ByteBuffer.allocate(bits.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long b : bits) {
            data.putLong(b);
        }
        Tensor read = roundTripOne(new Tensor("d", DType.F64, new long[] {bits.length}, data.flip()));

        for (int i = 0; i < bits.length; i++) {
            assertThat(read.data().getLong(i * 8)).as("element %d", i).isEqualTo(bits[i]);
        }
        assertThat(read.data().getDouble(16)).isEqualTo(-0.0d);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F16", "BF16"})
    void halfPrecisionNanPayloadsAndNegativeZeroSurvive(DType dtype) {
        short[] bits = {(short) 0x7e01, (short) 0xfd55, (short) 0x7c01, (short) 0x8000};
        ByteBuffer data = ByteBuffer.allocate(bits.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short b : bits) {
            data.putShort(b);
        }
        Tensor read = roundTripOne(new Tensor("h", dtype, new long[] {bits.length}, data.flip()));

        for (int i = 0; i < bits.length; i++) {
            assertThat(read.data().getShort(i * 2)).as("element %d", i).isEqualTo(bits[i]);
        }
    }

    @Test
    void scalarHasOneElementAndAnEmptyShape() {
        ByteBuffer seven = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 7);
        Tensor read = roundTripOne(new Tensor("tokens", DType.I64, new long[0], seven));

        assertThat(read.shape()).isEmpty();
        assertThat(read.elementCount()).isEqualTo(1);
        assertThat(read.data().getLong(0)).isEqualTo(7);
    }

    @Test
    void zeroSizeTensorsRoundTripAmongOthers() {
        StateContainer written = StateContainer.builder()
                .tensor("empty.before", DType.F32, new long[] {0}, ByteBuffer.allocate(0))
                .tensor("values", DType.I32, new long[] {2}, ByteBuffer.wrap(new byte[] {1, 0, 0, 0, 2, 0, 0, 0}))
                .tensor("past_key_values.0.key", DType.F16, new long[] {1, 4, 0, 8}, ByteBuffer.allocate(0))
                .build();

        StateContainer read = roundTrip(written);

        assertThat(read).isEqualTo(written);
        assertThat(read.tensors()).extracting(Tensor::name)
                .containsExactly("empty.before", "values", "past_key_values.0.key");
        Tensor kv = read.tensor("past_key_values.0.key").orElseThrow();
        assertThat(kv.shape()).containsExactly(1, 4, 0, 8);
        assertThat(kv.byteSize()).isZero();
    }

    @Test
    void emptyContainerRoundTrips() {
        StateContainer read = roundTrip(StateContainer.builder().build());

        assertThat(read.tensors()).isEmpty();
        assertThat(read.metadata()).isEmpty();
    }

    @Test
    void metadataRoundTripsInOrder() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("baton.format", "1");
        metadata.put("baton.model", "jamba-tiny");
        metadata.put("baton.tenant", "acme");
        metadata.put("baton.document", "doc \"quoted\" \u00e9\u6587\n");
        metadata.put("baton.segment", "41");
        metadata.put("baton.retention", "");
        StateContainer written = StateContainer.builder()
                .metadata(metadata)
                .tensor("present_conv.1", DType.F32, new long[] {1}, ByteBuffer.allocate(4))
                .build();

        StateContainer read = roundTrip(written);

        assertThat(read.metadata()).containsExactlyEntriesOf(metadata);
        assertThat(read.metadata("baton.segment")).hasValue("41");
        assertThat(read.metadata("absent")).isEmpty();
    }

    @Test
    void channelWriteProducesTheSameBytes() throws IOException {
        StateContainer container = mixedContainer();
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (WritableByteChannel channel = Channels.newChannel(sink)) {
            StateCodec.write(container, channel);
        }

        assertThat(sink.toByteArray()).isEqualTo(toArray(StateCodec.write(container)));
    }

    // ---- the format itself, byte by byte ----

    @Test
    void readsAFileWrittenByHandFromTheSpec() {
        String json = "{\"__metadata__\":{\"baton.format\":\"1\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]}} ";
        assertThat(json.length()).isEqualTo(0x90);
        byte[] length = {(byte) 0x90, 0, 0, 0, 0, 0, 0, 0};
        byte[] data = {
            0x00, 0x00, (byte) 0x80, 0x3f, // a[0] = 1.0f
            0x00, 0x00, 0x00, (byte) 0xc0, // a[1] = -2.0f
            0x02, 0x01, 0, 0, 0, 0, 0, 0, // b = 258
        };

        StateContainer read = StateCodec.read(ByteBuffer.wrap(concat(length, json.getBytes(UTF_8), data)));

        assertThat(read.metadata()).containsExactly(Map.entry("baton.format", "1"));
        Tensor a = read.tensor("a").orElseThrow();
        assertThat(a.dtype()).isEqualTo(DType.F32);
        assertThat(a.shape()).containsExactly(2);
        assertThat(a.data().getFloat(0)).isEqualTo(1.0f);
        assertThat(a.data().getFloat(4)).isEqualTo(-2.0f);
        Tensor b = read.tensor("b").orElseThrow();
        assertThat(b.shape()).isEmpty();
        assertThat(b.data().getLong(0)).isEqualTo(258L);
    }

    @Test
    void writesTheSpecByteForByteWithThePaddedHeader() {
        StateContainer container = StateContainer.builder()
                .metadata("baton.tenant", "t1")
                .tensor("x", DType.F32, new long[] {2},
                        ByteBuffer.wrap(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0x40}))
                .build();

        byte[] written = toArray(StateCodec.write(container));

        String json = "{\"__metadata__\":{\"baton.tenant\":\"t1\"},"
                + "\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}" + "     ";
        byte[] expected = concat(
                new byte[] {0x60, 0, 0, 0, 0, 0, 0, 0},
                json.getBytes(UTF_8),
                new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0x40});
        assertThat(new String(written, UTF_8)).isEqualTo(new String(expected, UTF_8));
        assertThat(written).isEqualTo(expected);
    }

    @Test
    void writerAlignsEveryTensorToItsElementSize() {
        byte[] written = toArray(StateCodec.write(mixedContainer()));

        int headerLength = (int) ByteBuffer.wrap(written).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertThat(headerLength % 8).isZero();
        JsonNode header = JsonMapper.shared().readTree(new String(written, 8, headerLength, UTF_8));
        for (Tensor tensor : mixedContainer().tensors()) {
            long begin = header.get(tensor.name()).get("data_offsets").get(0).longValue();
            assertThat(begin % tensor.dtype().byteSize()).as(tensor.name()).isZero();
        }
    }

    // ---- views, not copies ----

    @Test
    void readTensorsAreViewsOfTheInputAndTheInputPositionStays() {
        byte[] file = toArray(StateCodec.write(StateContainer.builder()
                .tensor("v", DType.U8, new long[] {3}, ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .build()));
        byte[] prefixed = concat(new byte[] {9, 9, 9}, file);
        ByteBuffer input = ByteBuffer.wrap(prefixed).position(3);

        Tensor v = StateCodec.read(input).tensor("v").orElseThrow();
        prefixed[prefixed.length - 1] = 42;

        assertThat(input.position()).isEqualTo(3);
        assertThat(v.data().get(2)).isEqualTo((byte) 42);
        assertThat(v.data().isReadOnly()).isTrue();
    }

    // ---- rejections ----

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7})
    void rejectsInputShorterThanTheLengthPrefix(int size) {
        assertRejected(new byte[size], Reason.TRUNCATED);
    }

    @Test
    void rejectsHeaderLengthBeyondTheInput() {
        byte[] file = concat(le(100), "{}      ".getBytes(UTF_8));
        assertRejected(file, Reason.HEADER_LENGTH);
    }

    @Test
    void rejectsHeaderLengthAboveSignedRange() {
        byte[] file = concat(le(-1L), "{}      ".getBytes(UTF_8));
        assertRejected(file, Reason.HEADER_LENGTH);
    }

    @Test
    void rejectsHeaderOverTheConfiguredLimit() {
        ByteBuffer file = StateCodec.write(mixedContainer());
        int headerLength = (int) file.order(ByteOrder.LITTLE_ENDIAN).getLong(0);

        assertThatThrownBy(() -> StateCodec.read(file, ReadOptions.defaults().withMaxHeaderBytes(headerLength - 1)))
                .isInstanceOfSatisfying(StateFormatException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.HEADER_TOO_LARGE));
        assertThat(StateCodec.read(file, new ReadOptions(headerLength))).isEqualTo(mixedContainer());
    }

    @Test
    void defaultLimitIsOneMebibyte() {
        byte[] file = concat(le(ReadOptions.DEFAULT_MAX_HEADER_BYTES + 1L), new byte[16]);
        assertRejected(file, Reason.HEADER_TOO_LARGE);
    }

    static Stream<Arguments> malformedHeaders() {
        String ok = "\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]";
        return Stream.of(
                Arguments.of("truncated JSON", "{\"t\":{" + ok),
                Arguments.of("empty header", ""),
                Arguments.of("array, not object", "[]"),
                Arguments.of("trailing tokens", "{\"t\":{" + ok + "}} {}"),
                Arguments.of("duplicate tensor", "{\"t\":{" + ok + "},\"t\":{" + ok + "}}"),
                Arguments.of("entry not an object", "{\"t\":[1]}"),
                Arguments.of("dtype missing", "{\"t\":{\"shape\":[1],\"data_offsets\":[0,1]}}"),
                Arguments.of("dtype not a string", "{\"t\":{\"dtype\":1,\"shape\":[1],\"data_offsets\":[0,1]}}"),
                Arguments.of("shape missing", "{\"t\":{\"dtype\":\"U8\",\"data_offsets\":[0,1]}}"),
                Arguments.of("shape not an array", "{\"t\":{\"dtype\":\"U8\",\"shape\":1,\"data_offsets\":[0,1]}}"),
                Arguments.of("shape fraction", "{\"t\":{\"dtype\":\"U8\",\"shape\":[1.0],\"data_offsets\":[0,1]}}"),
                Arguments.of("shape string", "{\"t\":{\"dtype\":\"U8\",\"shape\":[\"1\"],\"data_offsets\":[0,1]}}"),
                Arguments.of("offsets missing", "{\"t\":{\"dtype\":\"U8\",\"shape\":[1]}}"),
                Arguments.of("offsets not a pair", "{\"t\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1,1]}}"),
                Arguments.of("offsets null", "{\"t\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,null]}}"),
                Arguments.of("metadata not an object", "{\"__metadata__\":[\"a\"],\"t\":{" + ok + "}}"),
                Arguments.of("metadata number value", "{\"__metadata__\":{\"baton.segment\":3},\"t\":{" + ok + "}}"),
                Arguments.of("metadata null value", "{\"__metadata__\":{\"k\":null},\"t\":{" + ok + "}}"),
                Arguments.of("metadata object value", "{\"__metadata__\":{\"k\":{}},\"t\":{" + ok + "}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedHeaders")
    void rejectsMalformedHeaders(String description, String json) {
        assertRejected(file(json, new byte[1]), Reason.MALFORMED_HEADER);
    }

    @Test
    void rejectsHeaderThatIsNotUtf8() {
        byte[] header = concat("{\"".getBytes(UTF_8), new byte[] {(byte) 0xc3, 0x28}, "\":1}".getBytes(UTF_8));
        assertRejected(concat(le(header.length), header), Reason.MALFORMED_HEADER);
    }

    @ParameterizedTest
    @ValueSource(strings = {"F128", "f32", "", "float32"})
    void rejectsUnknownDtypes(String dtype) {
        String json = "{\"t\":{\"dtype\":\"" + dtype + "\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        assertRejected(file(json, new byte[4]), Reason.UNKNOWN_DTYPE);
    }

    static Stream<Arguments> shapeMismatches() {
        return Stream.of(
                Arguments.of("too few bytes", "[3]", 8),
                Arguments.of("too many bytes", "[1]", 8),
                Arguments.of("scalar with no bytes", "[]", 0),
                Arguments.of("zero-size with bytes", "[2,0]", 4),
                Arguments.of("negative dimension", "[-1]", 0),
                Arguments.of("negative dimensions cancelling", "[-1,-1]", 4),
                Arguments.of("overflowing product", "[4611686018427387904,4]", 0),
                Arguments.of("dimension beyond 64 bits", "[18446744073709551616]", 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapeMismatches")
    void rejectsBytesThatDoNotMatchTheShape(String description, String shape, int bytes) {
        String json = "{\"t\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[0," + bytes + "]}}";
        assertRejected(file(json, new byte[bytes]), Reason.SHAPE_MISMATCH);
    }

    static Stream<Arguments> badOffsets() {
        return Stream.of(
                Arguments.of("past the end", "{\"a\":" + u8(0, 8) + "}", 4),
                Arguments.of("reversed", "{\"a\":" + u8(4, 0) + "}", 4),
                Arguments.of("negative", "{\"a\":" + u8(-4, 0) + "}", 4),
                Arguments.of("beyond 64 bits", "{\"a\":{\"dtype\":\"U8\",\"shape\":[0],"
                        + "\"data_offsets\":[18446744073709551616,18446744073709551616]}}", 0),
                Arguments.of("overlapping", "{\"a\":" + u8(0, 8) + ",\"b\":" + u8(4, 12) + "}", 12),
                Arguments.of("identical", "{\"a\":" + u8(0, 4) + ",\"b\":" + u8(0, 4) + "}", 4),
                Arguments.of("hole between tensors", "{\"a\":" + u8(0, 4) + ",\"b\":" + u8(8, 12) + "}", 12),
                Arguments.of("unindexed trailing bytes", "{\"a\":" + u8(0, 4) + "}", 8),
                Arguments.of("data but no tensors", "{}", 4));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badOffsets")
    void rejectsBadDataOffsets(String description, String json, int dataBytes) {
        assertRejected(file(json, new byte[dataBytes]), Reason.OFFSETS);
    }

    @Test
    void rejectionSaysWhatAndWhere() {
        String json = "{\"a\":" + u8(0, 8) + ",\"b\":" + u8(4, 12) + "}";

        assertThatThrownBy(() -> StateCodec.read(ByteBuffer.wrap(file(json, new byte[12]))))
                .isInstanceOf(StateFormatException.class)
                .hasMessageContaining("'b'")
                .hasMessageContaining("overlap")
                .satisfies(e -> assertThat(((StateFormatException) e).type().slug()).isEqualTo("state-format"));
    }

    @Nested
    class Builder {

        @Test
        void refusesTwoTensorsOfOneName() {
            StateContainer.Builder builder = StateContainer.builder()
                    .tensor("t", DType.U8, new long[] {0}, ByteBuffer.allocate(0));

            assertThatThrownBy(() -> builder.tensor("t", DType.U8, new long[] {0}, ByteBuffer.allocate(0)))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void refusesTheMetadataKeyAsATensorName() {
            assertThatThrownBy(() -> new Tensor("__metadata__", DType.U8, new long[] {0}, ByteBuffer.allocate(0)))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void toBuilderKeepsEverything() {
            StateContainer original = mixedContainer();
            StateContainer extended = original.toBuilder().metadata("baton.segment", "2").build();

            assertThat(extended.tensors()).containsExactlyElementsOf(original.tensors());
            assertThat(extended.metadata()).containsEntry("baton.segment", "2");
            assertThat(original.metadata()).doesNotContainKey("baton.segment");
        }
    }

    // ---- helpers ----

    private static StateContainer roundTrip(StateContainer container) {
        return StateCodec.read(StateCodec.write(container));
    }

    private static Tensor roundTripOne(Tensor tensor) {
        StateContainer read = roundTrip(StateContainer.builder().tensor(tensor).build());
        assertThat(read.tensors()).containsExactly(tensor);
        return read.tensors().iterator().next();
    }

    /** Tensors of several widths, deliberately narrowest first. */
    private static StateContainer mixedContainer() {
        return StateContainer.builder()
                .metadata("baton.format", "1")
                .tensor("mask", DType.BOOL, new long[] {3}, ByteBuffer.wrap(randomBytes(3, 1)))
                .tensor("past_conv.0", DType.BF16, new long[] {1, 3}, ByteBuffer.wrap(randomBytes(6, 2)))
                .tensor("past_ssm.1", DType.F32, new long[] {1, 2, 3}, ByteBuffer.wrap(randomBytes(24, 3)))
                .tensor("positions", DType.I64, new long[] {3}, ByteBuffer.wrap(randomBytes(24, 4)))
                .build();
    }

    private static String u8(long begin, long end) {
        return "{\"dtype\":\"U8\",\"shape\":[" + Math.max(end - begin, 0) + "],\"data_offsets\":["
                + begin + "," + end + "]}";
    }

    private static void assertRejected(byte[] file, Reason reason) {
        assertThatThrownBy(() -> StateCodec.read(ByteBuffer.wrap(file)))
                .isInstanceOfSatisfying(StateFormatException.class,
                        e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason));
    }

    private static byte[] file(String json, byte[] data) {
        byte[] header = json.getBytes(UTF_8);
        return concat(le(header.length), header, data);
    }

    private static byte[] le(long value) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] bytesOf(Tensor tensor) {
        return toArray(tensor.data());
    }

    private static byte[] toArray(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : List.of(parts)) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
