package io.baton.onnx.ffm;

/** The tensor element types this module creates, with their {@code ONNXTensorElementDataType} values. */
public enum ElementType {
    FLOAT(1, 4),
    INT64(7, 8);

    private final int onnxType;
    private final int bytes;

    ElementType(int onnxType, int bytes) {
        this.onnxType = onnxType;
        this.bytes = bytes;
    }

    int onnxType() {
        return onnxType;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    static ElementType of(int onnxType) {
        for (ElementType type : values()) {
            if (type.onnxType == onnxType) {
                return type;
            }
        }
        throw new OrtException("tensor element type " + onnxType + " is not supported here (float32, int64 are)");
    }
}
