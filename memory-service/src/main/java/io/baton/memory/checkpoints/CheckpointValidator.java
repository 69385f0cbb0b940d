package io.baton.memory.checkpoints;

import static io.baton.protocol.CheckpointMetadata.DOCUMENT;
import static io.baton.protocol.CheckpointMetadata.FORMAT;
import static io.baton.protocol.CheckpointMetadata.FORMAT_VERSION;
import static io.baton.protocol.CheckpointMetadata.MODEL;
import static io.baton.protocol.CheckpointMetadata.MODEL_DIGEST;
import static io.baton.protocol.CheckpointMetadata.SEGMENT;
import static io.baton.protocol.CheckpointMetadata.TENANT;
import static io.baton.protocol.CheckpointMetadata.TOKENS;

import io.baton.common.state.ReadOptions;
import io.baton.common.state.StateCodec;
import io.baton.common.state.StateContainer;
import io.baton.memory.encoding.StateEncoding;
import io.baton.memory.store.DocumentKey;
import java.nio.ByteBuffer;
import java.util.regex.Pattern;

/**
 * Checks an uploaded checkpoint before anything is stored: the bytes are a valid state container
 * ({@link io.baton.common.state.StateFormatException} otherwise) and its metadata says what the
 * request says (see {@link #validate}).
 */
final class CheckpointValidator {



    /** Model ids and digests are echoed in response headers: visible ASCII only. */
    private static final Pattern HEADER_SAFE = Pattern.compile("\\p{Graph}{1,256}");
    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,18}");

    private final ReadOptions options;

    CheckpointValidator(ReadOptions options) {
        this.options = options;
    }

    /** A checkpoint that passed validation: its bytes and the container read from them. */
    record Valid(byte[] bytes, StateContainer container, long tokens, String model, String modelDigest) {
    }

    /**
     * Reads {@code bytes} and checks, in this order: the container format; {@code baton.format}
     * = 1; {@code baton.model} and {@code baton.model_digest} present (visible ASCII, at most 256
     * characters); {@code baton.tokens} a non-negative integer; {@code baton.segment} = {@code
     * segment}; {@code baton.document} and {@code baton.tenant} those of {@code key}; none of the
     * keys the store's encoding reserves.
     *
     * @throws io.baton.common.state.StateFormatException if the container is broken
     * @throws CheckpointMetadataException naming the first key at fault
     */
    Valid validate(DocumentKey key, long segment, byte[] bytes) {
        StateContainer container = StateCodec.read(ByteBuffer.wrap(bytes), options);
        String format = require(container, FORMAT);
        if (!format.equals(FORMAT_VERSION)) {
            throw new CheckpointMetadataException(FORMAT, FORMAT + " is '" + format
                    + "'; this service reads format " + FORMAT_VERSION);
        }
        String model = headerSafe(container, MODEL);
        String digest = headerSafe(container, MODEL_DIGEST);
        String tokens = require(container, TOKENS);
        if (!NUMBER.matcher(tokens).matches()) {
            throw new CheckpointMetadataException(TOKENS, TOKENS + " '" + tokens
                    + "' is not a non-negative integer");
        }
        same(container, SEGMENT, Long.toString(segment), "the segment index in the path");
        same(container, DOCUMENT, key.document(), "the document in the path");
        same(container, TENANT, key.tenant(), "the request's tenant");
        for (String reserved : StateEncoding.RESERVED_METADATA) {
            if (container.metadata().containsKey(reserved)) {
                throw new CheckpointMetadataException(reserved, reserved
                        + " is reserved for the service's stored encoding");
            }
        }
        return new Valid(bytes, container, Long.parseLong(tokens), model, digest);
    }

    private static String require(StateContainer container, String key) {
        return container.metadata(key).orElseThrow(() ->
                new CheckpointMetadataException(key, "metadata " + key + " is missing"));
    }

    private static String headerSafe(StateContainer container, String key) {
        String value = require(container, key);
        if (!HEADER_SAFE.matcher(value).matches()) {
            throw new CheckpointMetadataException(key, key
                    + " must be 1 to 256 visible ASCII characters");
        }
        return value;
    }

    private static void same(StateContainer container, String key, String expected, String what) {
        String value = require(container, key);
        if (!value.equals(expected)) {
            throw new CheckpointMetadataException(key, key + " is '" + abbreviate(value) + "' but "
                    + what + " is '" + expected + "'");
        }
    }

    private static String abbreviate(String value) {
        return value.length() <= 80 ? value : value.substring(0, 77) + "...";
    }
}
