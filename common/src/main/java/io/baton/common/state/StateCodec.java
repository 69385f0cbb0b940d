package io.baton.common.state;

import io.baton.common.state.StateFormatException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes a {@link StateContainer} in the safetensors format: an 8-byte little-endian
 * header length N, N bytes of UTF-8 JSON header (tensor name to {@code dtype}, {@code shape},
 * {@code data_offsets}, plus an optional {@code __metadata__} object of strings), then the raw
 * little-endian tensor bytes, offsets counted from the end of the header.
 *
 * <p>Reading follows the format strictly, as the reference implementation does: every byte of
 * the data section belongs to exactly one tensor (no overlaps, no holes), and anything else is a
 * {@link StateFormatException} naming the broken rule. Tensors read are views of the input, not
 * copies. Writing pads the header with spaces to a multiple of 8 bytes and lays the data out
 * widest dtype first, so every tensor is aligned to its element size within the data section.
 *
 * <p>One container is limited to what one {@link ByteBuffer} holds (2 GiB).
 */
public final class StateCodec {

    private static final int LENGTH_BYTES = Long.BYTES;
    private static final int HEADER_ALIGNMENT = 8;
    private static final String DTYPE = "dtype";
    private static final String SHAPE = "shape";
    private static final String DATA_OFFSETS = "data_offsets";

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private StateCodec() {
    }

    /** Reads a container with the {@linkplain ReadOptions#defaults() default limits}. */
    public static StateContainer read(ByteBuffer input) {
        return read(input, ReadOptions.defaults());
    }

    /**
     * Reads the container held from {@code input}'s position to its limit. The input's position
     * does not move. The tensors share the input's memory, so they are valid only as long as
     * those bytes are not changed.
     *
     * @throws StateFormatException if the bytes break the format
     */
    public static StateContainer read(ByteBuffer input, ReadOptions options) {
        ByteBuffer file = input.slice().order(ByteOrder.LITTLE_ENDIAN);
        int total = file.remaining();
        if (total < LENGTH_BYTES) {
            throw new StateFormatException(Reason.TRUNCATED, "state container has " + total
                    + " bytes, fewer than the " + LENGTH_BYTES + "-byte header length");
        }
        long headerLength = file.getLong(0);
        if (headerLength < 0) {
            throw new StateFormatException(Reason.HEADER_LENGTH, "header length "
                    + Long.toUnsignedString(headerLength) + " does not fit a signed 64-bit value");
        }
        if (headerLength > options.maxHeaderBytes()) {
            throw new StateFormatException(Reason.HEADER_TOO_LARGE, "header length " + headerLength
                    + " exceeds the limit of " + options.maxHeaderBytes() + " bytes");
        }
        if (headerLength > total - LENGTH_BYTES) {
            throw new StateFormatException(Reason.HEADER_LENGTH, "header length " + headerLength
                    + " reaches past the end of the " + total + "-byte input");
        }
        byte[] header = new byte[(int) headerLength];
        file.get(LENGTH_BYTES, header);
        int dataStart = LENGTH_BYTES + header.length;
        ByteBuffer data = file.slice(dataStart, total - dataStart);
        return decode(parseHeader(header), data);
    }

    /**
     * Writes {@code container} into a new heap buffer, copying each tensor's bytes once. The
     * buffer is positioned at 0 with its limit at the end of the file.
     *
     * @throws IllegalArgumentException if the file would exceed what one buffer holds
     */
    public static ByteBuffer write(StateContainer container) {
        Layout layout = Layout.of(container);
        long total = LENGTH_BYTES + layout.header().length + layout.dataBytes();
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("state container of " + total
                    + " bytes does not fit one buffer; write it to a channel");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(layout.header().length).put(layout.header());
        for (Tensor tensor : layout.dataOrder()) {
            out.put(tensor.data());
        }
        return out.flip();
    }

    /** Writes {@code container} to {@code channel}, without assembling the file in memory. */
    public static void write(StateContainer container, WritableByteChannel channel)
            throws IOException {
        Layout layout = Layout.of(container);
        ByteBuffer head = ByteBuffer.allocate(LENGTH_BYTES + layout.header().length)
                .order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(layout.header().length).put(layout.header()).flip();
        writeFully(channel, head);
        for (Tensor tensor : layout.dataOrder()) {
            writeFully(channel, tensor.data());
        }
    }

    private static void writeFully(WritableByteChannel channel, ByteBuffer bytes)
            throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    // ---- reading ----

    /** One tensor's header entry, before its bytes are attached. */
    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {
    }

    /** A parsed header: tensor entries in header order, and the metadata. */
    private record Header(List<Entry> entries, Map<String, String> metadata) {
    }

    private static Header parseHeader(byte[] header) {
        JsonNode root;
        try {
            root = JSON.readTree(header);
        } catch (JacksonException e) {
            throw malformed("header is not valid UTF-8 JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw malformed("header is not a JSON object");
        }
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = Map.of();
        for (Map.Entry<String, JsonNode> property : root.properties()) {
            if (property.getKey().equals(Tensor.METADATA_KEY)) {
                metadata = parseMetadata(property.getValue());
            } else {
                entries.add(parseEntry(property.getKey(), property.getValue()));
            }
        }
        return new Header(entries, metadata);
    }

    private static Map<String, String> parseMetadata(JsonNode node) {
        if (!node.isObject()) {
            throw malformed("'" + Tensor.METADATA_KEY + "' is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> property : node.properties()) {
            if (!property.getValue().isString()) {
                throw malformed("metadata value of '" + property.getKey() + "' is not a string");
            }
            metadata.put(property.getKey(), property.getValue().stringValue());
        }
        return metadata;
    }

    private static Entry parseEntry(String name, JsonNode node) {
        if (!node.isObject()) {
            throw malformed("tensor '" + name + "': entry is not a JSON object");
        }
        JsonNode dtypeNode = node.get(DTYPE);
        if (dtypeNode == null || !dtypeNode.isString()) {
            throw malformed("tensor '" + name + "': '" + DTYPE + "' is missing or not a string");
        }
        DType dtype = DType.fromName(dtypeNode.stringValue()).orElseThrow(() ->
                new StateFormatException(Reason.UNKNOWN_DTYPE, "tensor '" + name
                        + "': unknown dtype '" + dtypeNode.stringValue() + "'"));

        long[] shape = integers(name, node.get(SHAPE), SHAPE, -1, Reason.SHAPE_MISMATCH);
        long[] offsets = integers(name, node.get(DATA_OFFSETS), DATA_OFFSETS, 2, Reason.OFFSETS);
        if (offsets[0] < 0 || offsets[1] < 0) {
            throw offsets(name, offsets, "are negative");
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    /**
     * The integers of a JSON array field; {@code length} is the required length, or -1 for any.
     * Integers beyond 64 bits are refused with {@code tooLarge}.
     */
    private static long[] integers(String name, JsonNode node, String field, int length,
            Reason tooLarge) {
        if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) {
            throw malformed("tensor '" + name + "': '" + field + "' is missing or not an array"
                    + (length >= 0 ? " of " + length + " integers" : " of integers"));
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode element = node.get(i);
            if (!element.isIntegralNumber()) {
                throw malformed("tensor '" + name + "': '" + field + "' holds " + element
                        + ", not an integer");
            }
            if (!element.canConvertToLong()) {
                throw new StateFormatException(tooLarge, "tensor '" + name + "': '" + field
                        + "' holds " + element + ", beyond 64 bits");
            }
            values[i] = element.longValue();
        }
        return values;
    }

    /** Checks the offsets against the data section and attaches each tensor's bytes. */
    private static StateContainer decode(Header header, ByteBuffer data) {
        int dataLength = data.remaining();
        List<Entry> byOffset = new ArrayList<>(header.entries());
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expectedBegin = 0;
        for (Entry entry : byOffset) {
            long[] range = {entry.begin(), entry.end()};
            if (entry.begin() > entry.end()) {
                throw offsets(entry.name(), range, "are reversed");
            }
            if (entry.end() > dataLength) {
                throw offsets(entry.name(), range, "reach past the " + dataLength
                        + "-byte data section");
            }
            if (entry.begin() < expectedBegin) {
                throw offsets(entry.name(), range, "overlap another tensor's, which ends at "
                        + expectedBegin);
            }
            if (entry.begin() > expectedBegin) {
                throw offsets(entry.name(), range, "leave bytes " + expectedBegin + ".."
                        + entry.begin() + " of the data section unindexed");
            }
            expectedBegin = entry.end();
        }
        if (expectedBegin != dataLength) {
            throw new StateFormatException(Reason.OFFSETS, "data section has " + dataLength
                    + " bytes but its tensors end at " + expectedBegin);
        }

        StateContainer.Builder container = StateContainer.builder().metadata(header.metadata());
        for (Entry entry : header.entries()) {
            int begin = (int) entry.begin();
            ByteBuffer bytes = data.slice(begin, (int) entry.end() - begin);
            container.tensor(new Tensor(entry.name(), entry.dtype(), entry.shape(), bytes));
        }
        return container.build();
    }

    private static StateFormatException malformed(String message) {
        return new StateFormatException(Reason.MALFORMED_HEADER, message);
    }

    private static StateFormatException malformed(String message, Throwable cause) {
        return new StateFormatException(Reason.MALFORMED_HEADER, message, cause);
    }

    private static StateFormatException offsets(String name, long[] range, String problem) {
        return new StateFormatException(Reason.OFFSETS, "tensor '" + name + "': data_offsets "
                + Arrays.toString(range) + " " + problem);
    }

    // ---- writing ----

    /**
     * Where everything goes in a file: the padded header, and the tensors in data-section order
     * (widest dtype first; stable, so equal widths keep the container's order).
     */
    private record Layout(byte[] header, List<Tensor> dataOrder, long dataBytes) {

        static Layout of(StateContainer container) {
            List<Tensor> dataOrder = new ArrayList<>(container.tensors());
            dataOrder.sort(Comparator.comparingInt((Tensor t) -> t.dtype().byteSize()).reversed());
            Map<String, long[]> offsets = new HashMap<>();
            long offset = 0;
            for (Tensor tensor : dataOrder) {
                offsets.put(tensor.name(), new long[] {offset, offset + tensor.byteSize()});
                offset += tensor.byteSize();
            }

            ObjectNode root = JSON.createObjectNode();
            if (!container.metadata().isEmpty()) {
                ObjectNode metadata = root.putObject(Tensor.METADATA_KEY);
                container.metadata().forEach(metadata::put);
            }
            for (Tensor tensor : container.tensors()) {
                ObjectNode entry = root.putObject(tensor.name());
                entry.put(DTYPE, tensor.dtype().name());
                ArrayNode shape = entry.putArray(SHAPE);
                Arrays.stream(tensor.shape()).forEach(shape::add);
                long[] range = offsets.get(tensor.name());
                entry.putArray(DATA_OFFSETS).add(range[0]).add(range[1]);
            }
            return new Layout(pad(JSON.writeValueAsBytes(root)), dataOrder, offset);
        }

        /** The header followed by spaces up to a multiple of 8 bytes. */
        private static byte[] pad(byte[] json) {
            int padded = (json.length + HEADER_ALIGNMENT - 1) / HEADER_ALIGNMENT * HEADER_ALIGNMENT;
            byte[] header = Arrays.copyOf(json, padded);
            Arrays.fill(header, json.length, padded, (byte) ' ');
            return header;
        }
    }
}
