package io.baton.reliability.fuzz;

import io.baton.common.state.DType;
import io.baton.common.state.StateCodec;
import io.baton.common.state.StateContainer;
import io.baton.common.state.Tensor;
import io.baton.common.testing.DataFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes the inputs each fuzz target starts from into {@code <folder>/<target>/}: a checkpoint as
 * the platform writes it (two tensors and metadata), segment requests as the gateway sends them
 * (with and without spans and a next token), and passages of Moby Dick with titles, initials,
 * ellipses and blank lines for the splitter. Usage: {@code Seeds <folder>}.
 */
public final class Seeds {

    private Seeds() {
    }

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]);
        Path codec = Files.createDirectories(root.resolve("StateCodecFuzz"));
        ByteBuffer floats = ByteBuffer.allocate(4 * 6).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
            floats.putFloat(i * 0.5f);
        }
        ByteBuffer longs = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 42);
        StateContainer container = StateContainer.builder()
                .metadata(Map.of("baton.document", "doc-1", "baton.segment", "3"))
                .tensor(new Tensor("layers.0.kv", DType.F32, new long[] {2, 3}, floats.flip()))
                .tensor(new Tensor("tokens", DType.I64, new long[] {1}, longs))
                .build();
        ByteBuffer written = StateCodec.write(container);
        byte[] bytes = new byte[written.remaining()];
        written.get(bytes);
        Files.write(codec.resolve("checkpoint"), bytes);
        Files.write(codec.resolve("empty-header"), new byte[] {2, 0, 0, 0, 0, 0, 0, 0, '{', '}'});

        Path segments = Files.createDirectories(root.resolve("SegmentRequestFuzz"));
        Files.writeString(segments.resolve("plain"),
                "{\"document\":\"doc-1\",\"segment\":0,\"model\":\"gemma2-tiny\",\"tokens\":[72,101,108,108,111]}");
        Files.writeString(segments.resolve("spans"), "{\"document\":\"summary-1\",\"segment\":7,\"tokens\":[1,2,3,4],"
                + "\"sentences\":[[0,2],[2,4]],\"nextToken\":5}");
        Files.writeString(segments.resolve("nulls"), "{\"document\":\"d\",\"segment\":1,\"model\":null,\"tokens\":[0],"
                + "\"sentences\":null,\"nextToken\":null}");

        Path splitter = Files.createDirectories(root.resolve("SentenceSplitterFuzz"));
        String book = DataFiles.mobyDick();
        for (int i = 0; i < 4; i++) {
            String passage = book.substring(20_000 + i * 50_000, 20_000 + i * 50_000 + 2_000);
            Files.write(splitter.resolve("moby-" + i), utf8(passage, i % 2 == 1));
        }
        Files.write(splitter.resolve("rules"), utf8("Mr. Smith met Dr. J. Watson at 3 p.m. on Monday... Then?\n\n"
                + "A Heading\n\nWell.  \u00a0 \"Quoted!\" (Bracketed.) e.g. this; the U.S. Army.\r\n", false));
    }

    /** A splitter input: the first byte even (UTF-8), the second odd when the text is to be repeated. */
    private static byte[] utf8(String text, boolean repeated) {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        byte[] input = new byte[body.length + 2];
        input[1] = (byte) (repeated ? 1 : 0);
        System.arraycopy(body, 0, input, 2, body.length);
        return input;
    }
}
