package io.baton.onnx.ffm.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.baton.onnx.ffm.ModelPlan;
import io.baton.onnx.ffm.ResidentStates;
import java.lang.foreign.MemorySegment;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reference: ONNX Runtime Java's {@code OrtSession.run} with each document's state on the Java heap, copied
 * into the batched {@code past*} inputs and out of the {@code present*} outputs on every run, retention applied
 * in Java (docs/model-contract.md, "Carrying the state"). Same contract and results as
 * {@link ResidentStates}, which the tests check it against.
 */
public final class HostStates {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final ModelPlan plan;
    private final Map<String, ResidentStates.HostState> documents = new HashMap<>();

    public HostStates(OrtEnvironment env, OrtSession session, ModelPlan plan) {
        this.env = env;
        this.session = session;
        this.plan = plan;
    }

    public void admit(String document) {
        List<float[]> zeros = new ArrayList<>();
        for (ModelPlan.StateSpec spec : plan.state()) {
            zeros.add(new float[Math.toIntExact(spec.elements())]);
        }
        documents.put(document, new ResidentStates.HostState(0, zeros));
    }

    public ResidentStates.HostState export(String document) {
        return documents.get(document);
    }

    /** One segment for each document; the outputs {@code readouts} as {@link ResidentStates#run} returns them. */
    public ResidentStates.Readouts run(List<ResidentStates.Segment> segments, List<String> readouts) throws OrtException {
        int batch = segments.size();
        int length = segments.get(0).tokens().length;
        int[] lengths = new int[batch];
        Arrays.fill(lengths, length);
        ResidentStates.HostState[] rows = new ResidentStates.HostState[batch];
        long[] ids = new long[batch * length];
        long[] positions = new long[batch * length];
        long[] mask = new long[batch * (plan.maskPast() + length)];
        Arrays.fill(mask, 1L);
        for (int b = 0; b < batch; b++) {
            rows[b] = documents.get(segments.get(b).document());
            System.arraycopy(segments.get(b).tokens(), 0, ids, b * length, length);
            for (int t = 0; t < length; t++) {
                positions[b * length + t] = rows[b].position() + t;
            }
        }
        Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {batch, length}));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask),
                    new long[] {batch, plan.maskPast() + length}));
            inputs.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(positions), new long[] {batch, length}));
            if (plan.scoresTokens()) {
                long[] targets = new long[batch * length];
                for (int b = 0; b < batch; b++) {
                    System.arraycopy(segments.get(b).tokens(), 1, targets, b * length, length - 1);
                    targets[b * length + length - 1] = Math.max(segments.get(b).next(), -1);
                }
                inputs.put("target_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(targets), new long[] {batch, length}));
            }
            for (int i = 0; i < plan.state().size(); i++) {
                ModelPlan.StateSpec spec = plan.state().get(i);
                int n = Math.toIntExact(spec.elements());
                float[] past = new float[batch * n];
                for (int b = 0; b < batch; b++) {
                    System.arraycopy(rows[b].tensors().get(i), 0, past, b * n, n);
                }
                inputs.put(spec.input(), OnnxTensor.createTensor(env, FloatBuffer.wrap(past), spec.batched(batch)));
            }
            Set<String> wanted = new HashSet<>(readouts);
            plan.state().forEach(s -> wanted.add(s.output()));
            try (OrtSession.Result result = session.run(inputs, wanted)) {
                Map<String, float[][]> values = new LinkedHashMap<>();
                Map<String, long[]> shapes = new LinkedHashMap<>();
                for (String name : readouts) {
                    OnnxTensor out = (OnnxTensor) result.get(name).orElseThrow();
                    long[] shape = out.getInfo().getShape();
                    values.put(name, ResidentStates.Readouts.rowsOf(MemorySegment.ofArray(toArray(out.getFloatBuffer())),
                            shape, lengths));
                    shapes.put(name, shape);
                }
                List<List<float[]>> next = new ArrayList<>();
                for (int b = 0; b < batch; b++) {
                    next.add(new ArrayList<>());
                }
                for (ModelPlan.StateSpec spec : plan.state()) {
                    OnnxTensor out = (OnnxTensor) result.get(spec.output()).orElseThrow();
                    float[] present = toArray(out.getFloatBuffer());
                    long[] shape = out.getInfo().getShape();
                    int rowLength = present.length / batch;
                    for (int b = 0; b < batch; b++) {
                        next.get(b).add(retain(spec, present, b * rowLength, shape));
                    }
                }
                for (int b = 0; b < batch; b++) {
                    documents.put(segments.get(b).document(),
                            new ResidentStates.HostState(rows[b].position() + length, next.get(b)));
                }
                return new ResidentStates.Readouts(values, shapes);
            }
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /** Row {@code offset} of a present output, with the first pinned and last window slots kept on the axis. */
    private static float[] retain(ModelPlan.StateSpec spec, float[] present, int offset, long[] shape) {
        int n = Math.toIntExact(spec.elements());
        float[] kept = new float[n];
        if (!spec.isWindow()) {
            System.arraycopy(present, offset, kept, 0, n);
            return kept;
        }
        int axis = spec.axis();
        int slots = (int) shape[axis];
        int outer = 1;
        for (int a = 1; a < axis; a++) {
            outer *= (int) shape[a];
        }
        int inner = 1;
        for (int a = axis + 1; a < shape.length; a++) {
            inner *= (int) shape[a];
        }
        int keep = spec.pinned() + spec.window();
        for (int o = 0; o < outer; o++) {
            int src = offset + o * slots * inner;
            int dst = o * keep * inner;
            System.arraycopy(present, src, kept, dst, spec.pinned() * inner);
            System.arraycopy(present, src + (slots - spec.window()) * inner, kept, dst + spec.pinned() * inner,
                    spec.window() * inner);
        }
        return kept;
    }

    private static float[] toArray(FloatBuffer buffer) {
        float[] a = new float[buffer.remaining()];
        buffer.get(a);
        return a;
    }
}
