package io.baton.inference.state;

import io.baton.common.state.DType;
import io.baton.common.state.StateCodec;
import io.baton.common.state.StateContainer;
import io.baton.common.state.Tensor;
import io.baton.inference.models.DocumentState;
import io.baton.inference.models.FloatTensor;
import io.baton.inference.models.SegmentModel;
import io.baton.inference.models.StateTensorSpec;
import io.baton.protocol.CheckpointMetadata;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Converts a document's state to the checkpoint container (safetensors, one F32 tensor per
 * {@code past*} input, batch axis 1) and back, with the metadata of the blueprint:
 * {@code baton.format}, {@code baton.model}, {@code baton.model_digest}, {@code baton.tenant},
 * {@code baton.document}, {@code baton.segment}, {@code baton.tokens}, {@code baton.retention}, and
 * for a segment's checkpoint its origin ({@code baton.parent_digest}, {@code baton.input_digest}:
 * {@link CheckpointOrigin}).
 * A checkpoint written for another model digest, or missing a state tensor, or with a tensor of
 * another shape, is refused, never used.
 */
public final class Checkpoints {

    public static final String FORMAT = CheckpointMetadata.FORMAT_VERSION;

    private Checkpoints() {
    }

    /**
     * The container of {@code state} after segment {@code id.segment()} of {@code model}; its
     * metadata names {@code origin} when its parent's digest is known.
     */
    public static StateContainer toContainer(SegmentModel model, CheckpointId id, DocumentState state,
                                             CheckpointOrigin origin) {
        StateContainer.Builder builder = StateContainer.builder()
                .metadata(CheckpointMetadata.FORMAT, FORMAT)
                .metadata(CheckpointMetadata.MODEL, model.id())
                .metadata(CheckpointMetadata.MODEL_DIGEST, model.digest())
                .metadata(CheckpointMetadata.TENANT, id.tenant())
                .metadata(CheckpointMetadata.DOCUMENT, id.document())
                .metadata(CheckpointMetadata.SEGMENT, Long.toString(id.segment()))
                .metadata(CheckpointMetadata.TOKENS, Long.toString(state.tokens()))
                .metadata(CheckpointMetadata.RETENTION, retention(model));
        if (origin != null && origin.parentDigest() != null) {
            builder.metadata(CheckpointMetadata.PARENT_DIGEST, origin.parentDigest())
                    .metadata(CheckpointMetadata.INPUT_DIGEST, origin.inputDigest());
        }
        for (StateTensorSpec spec : model.plan().state()) {
            FloatTensor tensor = state.tensors().get(spec.input());
            ByteBuffer bytes = ByteBuffer.allocate(tensor.values().length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(tensor.values());
            builder.tensor(spec.input(), DType.F32, tensor.shape(), bytes);
        }
        return builder.build();
    }

    /** The container's bytes, of no known origin. */
    public static byte[] encode(SegmentModel model, CheckpointId id, DocumentState state) {
        return encode(model, id, state, null);
    }

    /** The container's bytes, naming {@code origin} (see {@link #toContainer}). */
    public static byte[] encode(SegmentModel model, CheckpointId id, DocumentState state, CheckpointOrigin origin) {
        ByteBuffer buffer = StateCodec.write(toContainer(model, id, state, origin));
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    /** The metadata of checkpoint bytes (the container is read in full: its format is checked). */
    public static Map<String, String> metadata(byte[] bytes) {
        return StateCodec.read(ByteBuffer.wrap(bytes)).metadata();
    }

    /** Reads a checkpoint of {@code model}; refuses one of another model or plan. */
    public static DocumentState fromContainer(SegmentModel model, StateContainer container) {
        String digest = container.metadata(CheckpointMetadata.MODEL_DIGEST).orElse("");
        if (!digest.equals(model.digest())) {
            throw new StateMismatchException("the stored state was written by model "
                    + container.metadata(CheckpointMetadata.MODEL).orElse("?") + " (digest " + digest + "), not by "
                    + model.id() + " (digest " + model.digest() + ")");
        }
        long tokens = Long.parseLong(container.metadata(CheckpointMetadata.TOKENS)
                .orElseThrow(() -> new StateMismatchException("the stored state has no baton.tokens")));
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        for (StateTensorSpec spec : model.plan().state()) {
            Tensor t = container.tensor(spec.input()).orElseThrow(() -> new StateMismatchException(
                    "the stored state has no tensor " + spec.input()));
            if (t.dtype() != DType.F32 || !spec.fits(t.shape(), 1)) {
                throw new StateMismatchException("stored tensor " + spec.input() + " is " + t.dtype() + " "
                        + Arrays.toString(t.shape()) + ", the model needs F32 " + Arrays.toString(spec.withBatch(1))
                        + (spec.grows() ? " with up to " + spec.retention().capacity() + " slots on axis "
                        + spec.retention().axis() : ""));
            }
            float[] values = new float[Math.toIntExact(t.elementCount())];
            t.data().asFloatBuffer().get(values);
            tensors.put(spec.input(), new FloatTensor(t.shape(), values));
        }
        return new DocumentState(tokens, tensors);
    }

    /** Reads checkpoint bytes (see {@link #fromContainer}). */
    public static DocumentState decode(SegmentModel model, byte[] bytes) {
        return fromContainer(model, StateCodec.read(ByteBuffer.wrap(bytes)));
    }

    /**
     * The retention policy of each state tensor, compactly: {@code name=window:W+P;name=replace}
     * ({@code growing-window:W+P} for a hub export's past that grows from empty).
     */
    static String retention(SegmentModel model) {
        StringJoiner out = new StringJoiner(";");
        for (StateTensorSpec s : model.plan().state()) {
            out.add(s.input() + "=" + switch (s.retention().policy()) {
                case REPLACE -> "replace";
                case WINDOW -> (s.grows() ? "growing-window:" : "window:") + s.retention().window() + "+"
                        + s.retention().pinned();
            });
        }
        return out.toString();
    }
}
