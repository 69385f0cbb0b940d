package io.baton.onnx.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@code OrtIoBinding} of one session: inputs bound to tensors that are already where the session computes,
 * outputs bound to tensors or to a device ({@code BindOutputToDevice}: ONNX Runtime allocates the output there,
 * so it needs no shape in advance), and {@code RunWithBinding}. The outputs of a run are taken with
 * {@link #outputs()}, in binding order, as tensors the caller owns.
 *
 * <p>A binding keeps a reference to each bound input value; a bound tensor must stay open until the binding is
 * cleared or closed. Not thread-safe: one binding per thread.
 */
public final class IoBinding implements AutoCloseable {

    private static final java.lang.foreign.FunctionDescriptor GET_BOUND_OUTPUT_VALUES =
            OrtRuntime.STATUS_PPP.appendArgumentLayouts(ADDRESS);

    private final OrtRuntime ort;
    private final Session session;
    private final NativeHandle handle;

    public IoBinding(Session session) {
        this.ort = OrtRuntime.get();
        this.session = session;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            ort.check(ort.call(OrtApiSlot.CreateIoBinding, OrtRuntime.STATUS_PP, session.handle(), out));
            this.handle = new NativeHandle(ort, out.get(ADDRESS, 0), OrtApiSlot.ReleaseIoBinding, "IO binding");
        }
    }

    public IoBinding bindInput(String name, Tensor tensor) {
        ort.check3(OrtApiSlot.BindInput, handle(), session.cName(name), tensor.handle());
        return this;
    }

    /** Binds an output to a tensor the caller made (the run writes into it). */
    public IoBinding bindOutput(String name, Tensor tensor) {
        ort.check3(OrtApiSlot.BindOutput, handle(), session.cName(name), tensor.handle());
        return this;
    }

    /** Lets ONNX Runtime allocate the output in the memory {@code info} describes (host, or the CUDA device). */
    public IoBinding bindOutput(String name, MemoryInfo info) {
        ort.check3(OrtApiSlot.BindOutputToDevice, handle(), session.cName(name), info.handle());
        return this;
    }

    /** {@code RunWithBinding} with default run options; returns when the outputs are complete. */
    public void run() {
        run(null);
    }

    /**
     * {@code RunWithBinding} with {@code options} (e.g. which CUDA graph to replay; null: the defaults); returns when
     * the outputs are complete.
     */
    public void run(RunOptions options) {
        ort.check3(OrtApiSlot.RunWithBinding, session.handle(), options == null ? MemorySegment.NULL : options.handle(),
                handle());
    }

    /** The outputs of the last run, in binding order; the caller closes each. */
    public List<Tensor> outputs() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment array = arena.allocate(ADDRESS);
            MemorySegment count = arena.allocate(JAVA_LONG);
            try {
                ort.check((MemorySegment) ort.handle(OrtApiSlot.GetBoundOutputValues, GET_BOUND_OUTPUT_VALUES)
                        .invokeExact(handle(), ort.defaultAllocator(), array, count));
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new OrtException("GetBoundOutputValues failed: " + t, t);
            }
            long n = count.get(JAVA_LONG, 0);
            MemorySegment values = array.get(ADDRESS, 0);
            if (n == 0) {
                return List.of();
            }
            MemorySegment pointers = values.reinterpret(n * ADDRESS.byteSize());
            List<Tensor> tensors = new ArrayList<>((int) n);
            RuntimeException failure = null;
            for (long i = 0; i < n; i++) {
                MemorySegment value = pointers.getAtIndex(ADDRESS, i);
                if (failure != null) {
                    ort.callVoid(OrtApiSlot.ReleaseValue, value);
                    continue;
                }
                try {
                    tensors.add(Tensor.adopt(ort, value));
                } catch (RuntimeException e) {
                    failure = e;
                }
            }
            ort.free(ort.defaultAllocator(), values);
            if (failure != null) {
                tensors.forEach(Tensor::close);
                throw failure;
            }
            return tensors;
        }
    }

    public void clearInputs() {
        ort.callVoid(OrtApiSlot.ClearBoundInputs, handle());
    }

    public void clearOutputs() {
        ort.callVoid(OrtApiSlot.ClearBoundOutputs, handle());
    }

    private MemorySegment handle() {
        return handle.get();
    }

    @Override
    public void close() {
        handle.release();
    }
}
