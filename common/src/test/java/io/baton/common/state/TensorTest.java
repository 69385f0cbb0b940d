package io.baton.common.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.common.state.StateFormatException.Reason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class TensorTest {

    @Test
    void equalityComparesShapeAndBytesByValue() {
        Tensor a = new Tensor("t", DType.I32, new long[] {2}, ByteBuffer.wrap(new byte[] {1, 0, 0, 0, 2, 0, 0, 0}));
        Tensor b = new Tensor("t", DType.I32, new long[] {2}, ByteBuffer.wrap(new byte[] {1, 0, 0, 0, 2, 0, 0, 0}));
        Tensor otherBytes = new Tensor("t", DType.I32, new long[] {2}, ByteBuffer.wrap(new byte[] {1, 0, 0, 0, 3, 0, 0, 0}));
        Tensor otherShape = new Tensor("t", DType.I32, new long[] {1, 2}, ByteBuffer.wrap(new byte[] {1, 0, 0, 0, 2, 0, 0, 0}));

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(otherBytes).isNotEqualTo(otherShape);
        assertThat(a.toString()).contains("t", "I32", "[2]", "8 bytes");
    }

    @Test
    void shapeIsCopiedInAndOut() {
        long[] shape = {4};
        Tensor t = new Tensor("t", DType.U8, shape, ByteBuffer.allocate(4));
        shape[0] = 99;
        t.shape()[0] = 99;

        assertThat(t.shape()).containsExactly(4);
    }

    @Test
    void dataIsAReadOnlyLittleEndianViewFromTheGivenPosition() {
        ByteBuffer source = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(0, -1).putLong(4, 5L);
        Tensor t = new Tensor("t", DType.I64, new long[] {1}, source.position(4));

        ByteBuffer view = t.data();
        view.position(8);

        assertThat(t.data().position()).isZero();
        assertThat(t.data().order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(t.data().getLong(0)).isEqualTo(5L);
        assertThat(t.data().isReadOnly()).isTrue();
        assertThat(source.position()).isEqualTo(4);
    }

    @Test
    void bytesMustMatchTheShape() {
        assertThatThrownBy(() -> new Tensor("t", DType.F32, new long[] {2, 2}, ByteBuffer.allocate(12)))
                .isInstanceOfSatisfying(StateFormatException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.SHAPE_MISMATCH))
                .hasMessageContaining("16 bytes");
    }
}
