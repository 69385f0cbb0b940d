package io.baton.gateway.summarize;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A segment's answer as a summary needs it, in bytes for a {@link SummaryJournal}: its sentence
 * vectors, exactly (float32, little-endian), after their count and dimension.
 */
final class SegmentAnswers {

    private SegmentAnswers() {
    }

    static byte[] encode(List<float[]> vectors) {
        int dimension = vectors.isEmpty() ? 0 : vectors.get(0).length;
        ByteBuffer buffer = ByteBuffer.allocate(8 + 4 * vectors.size() * dimension).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(vectors.size()).putInt(dimension);
        for (float[] vector : vectors) {
            if (vector.length != dimension) {
                throw new IllegalArgumentException("sentence vectors of " + vector.length + " and " + dimension
                        + " dimensions in one segment");
            }
            buffer.asFloatBuffer().put(vector);
            buffer.position(buffer.position() + 4 * dimension);
        }
        return buffer.array();
    }

    static List<float[]> decode(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int count = buffer.getInt();
        int dimension = buffer.getInt();
        if (count < 0 || dimension < 0 || bytes.length != 8 + 4L * count * dimension) {
            throw new IllegalArgumentException("a recorded answer of " + bytes.length + " bytes for " + count
                    + " vectors of " + dimension);
        }
        List<float[]> vectors = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            float[] vector = new float[dimension];
            buffer.asFloatBuffer().get(vector);
            buffer.position(buffer.position() + 4 * dimension);
            vectors.add(vector);
        }
        return vectors;
    }
}
