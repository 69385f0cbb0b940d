package io.baton.gateway.documents;

import io.baton.common.state.StateCodec;
import io.baton.common.state.StateContainer;
import io.baton.common.state.Tensor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * The digest of a checkpoint's state: SHA-256 over its tensors in name order, each as its name,
 * dtype, shape and raw little-endian bytes. The container's metadata is left out, since it names
 * the document, tenant and segment: the same state stored under two documents has one digest, and
 * a document ingested at once and one ingested in appends cut at segment boundaries can be
 * compared bit for bit.
 */
final class StateDigest {

    private StateDigest() {
    }

    /** {@code sha256:<hex>} of the state in {@code container} (a state container, safetensors). */
    static String of(byte[] container) {
        StateContainer state = StateCodec.read(ByteBuffer.wrap(container));
        MessageDigest sha = sha256();
        List<Tensor> tensors = state.tensors().stream().sorted(Comparator.comparing(Tensor::name)).toList();
        for (Tensor tensor : tensors) {
            text(sha, tensor.name());
            text(sha, tensor.dtype().name());
            long[] shape = tensor.shape();
            ByteBuffer dims = ByteBuffer.allocate(4 + 8 * shape.length).putInt(shape.length);
            for (long dim : shape) {
                dims.putLong(dim);
            }
            sha.update(dims.flip());
            ByteBuffer data = tensor.data();
            sha.update(ByteBuffer.allocate(8).putLong(data.remaining()).flip());
            sha.update(data);
        }
        return "sha256:" + HexFormat.of().formatHex(sha.digest());
    }

    private static void text(MessageDigest sha, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        sha.update(ByteBuffer.allocate(4).putInt(bytes.length).flip());
        sha.update(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
