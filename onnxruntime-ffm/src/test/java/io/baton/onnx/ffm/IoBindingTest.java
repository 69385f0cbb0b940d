package io.baton.onnx.ffm;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The binding itself, one run of jamba-tiny from the initial state: an output bound to a tensor over Java
 * memory, the same output bound to host memory for ONNX Runtime to allocate, and ONNX Runtime Java's plain run
 * give the same bits; a bad input is ONNX Runtime's error; a closed tensor is refused.
 */
class IoBindingTest {

    static final int LENGTH = 16;
    static Path dir;
    static ModelPlan plan;

    @BeforeAll
    static void load() {
        OrtRuntime.get();
        dir = OrtApiSlotTest.ZOO.resolve("jamba-tiny");
        plan = ModelPlan.read(dir.resolve("baton-model.json"));
    }

    @Test
    void anOutputIntoJavaMemoryAnOutputOnnxRuntimeAllocatesAndOnnxRuntimeJavaAgree() throws Exception {
        float[] expected = onnxRuntimeJava();
        try (Arena arena = Arena.ofConfined();
             Session session = Session.open(dir.resolve("model.onnx"), SessionConfig.cpu(1));
             MemoryInfo cpu = MemoryInfo.cpu();
             Allocator allocator = Allocator.of(session, cpu);
             IoBinding binding = new IoBinding(session)) {
            List<Tensor> inputs = inputs(arena, cpu, allocator);
            MemorySegment hidden = arena.allocate((long) expected.length * Float.BYTES, 64);
            try (Tensor into = Tensor.over(cpu, hidden, ElementType.FLOAT, 1, LENGTH, expected.length / LENGTH)) {
                bind(binding, inputs);
                binding.bindOutput("last_hidden_state", into);
                binding.run();
                binding.outputs().forEach(Tensor::close);
                assertThat(hidden.toArray(JAVA_FLOAT)).containsExactly(expected);

                binding.clearOutputs();
                binding.bindOutput("last_hidden_state", cpu);
                binding.run();
                List<Tensor> outputs = binding.outputs();
                try {
                    assertThat(outputs).hasSize(1);
                    assertThat(outputs.get(0).shape()).containsExactly(1, LENGTH, expected.length / LENGTH);
                    assertThat(outputs.get(0).isHost()).isTrue();
                    assertThat(outputs.get(0).hostData().toArray(JAVA_FLOAT)).containsExactly(expected);
                } finally {
                    outputs.forEach(Tensor::close);
                }
            } finally {
                inputs.forEach(Tensor::close);
            }
        }
    }

    /**
     * {@link Session#another()} (a session per frame of {@link ResidentStates}) is a session of its own: it runs the
     * same model with the same bits, and stays usable when the session it was made from is closed.
     */
    @Test
    void anotherSessionOfTheModelGivesTheSameBitsAndOutlivesTheFirst() throws Exception {
        float[] expected = onnxRuntimeJava();
        Session first = Session.open(dir.resolve("model.onnx"), SessionConfig.cpu(1));
        try (Arena arena = Arena.ofConfined();
             Session second = first.another();
             MemoryInfo cpu = MemoryInfo.cpu()) {
            assertThat(second).isNotSameAs(first);
            assertThat(second.inputNames()).isEqualTo(first.inputNames());
            assertThat(second.cudaGraphs()).isEqualTo(first.cudaGraphs());
            first.close();
            try (Allocator allocator = Allocator.of(second, cpu);
                 IoBinding binding = new IoBinding(second)) {
                List<Tensor> inputs = inputs(arena, cpu, allocator);
                try {
                    bind(binding, inputs);
                    binding.bindOutput("last_hidden_state", cpu);
                    binding.run();
                    List<Tensor> outputs = binding.outputs();
                    try {
                        assertThat(outputs.get(0).hostData().toArray(JAVA_FLOAT)).containsExactly(expected);
                    } finally {
                        outputs.forEach(Tensor::close);
                    }
                } finally {
                    inputs.forEach(Tensor::close);
                }
            }
        } finally {
            first.close();
        }
    }

    @Test
    void anInputOfTheWrongRankIsOnnxRuntimesErrorNamingIt() {
        try (Arena arena = Arena.ofConfined();
             Session session = Session.open(dir.resolve("model.onnx"), SessionConfig.cpu(1));
             MemoryInfo cpu = MemoryInfo.cpu();
             Allocator allocator = Allocator.of(session, cpu);
             IoBinding binding = new IoBinding(session)) {
            List<Tensor> inputs = inputs(arena, cpu, allocator);
            try (Tensor flat = Tensor.over(cpu, arena.allocate(JAVA_LONG, LENGTH), ElementType.INT64, LENGTH)) {
                bind(binding, inputs);
                binding.bindInput("input_ids", flat);
                binding.bindOutput("logits", cpu);
                assertThatThrownBy(binding::run).isInstanceOf(OrtException.class).hasMessageContaining("input_ids");
            } finally {
                inputs.forEach(Tensor::close);
            }
            assertThatThrownBy(() -> binding.bindInput("no_such_input", inputs.get(0)))
                    .isInstanceOf(OrtException.class).hasMessageContaining("no_such_input");
        }
    }

    @Test
    void aClosedTensorIsRefusedAndClosingTwiceIsHarmless() {
        try (Arena arena = Arena.ofConfined(); MemoryInfo cpu = MemoryInfo.cpu()) {
            Tensor tensor = Tensor.over(cpu, arena.allocate(16), ElementType.FLOAT, 4);
            tensor.close();
            tensor.close();
            assertThatThrownBy(tensor::address).isInstanceOf(OrtException.class).hasMessageContaining("closed");
        }
    }

    /** input_ids, attention_mask, position_ids over Java memory, then each state allocated by ONNX Runtime, zeroed. */
    private static List<Tensor> inputs(Arena arena, MemoryInfo cpu, Allocator allocator) {
        List<Tensor> tensors = new ArrayList<>();
        MemorySegment ids = arena.allocate(JAVA_LONG, LENGTH);
        MemorySegment positions = arena.allocate(JAVA_LONG, LENGTH);
        MemorySegment mask = arena.allocate(JAVA_LONG, plan.maskPast() + LENGTH);
        for (int t = 0; t < LENGTH; t++) {
            ids.setAtIndex(JAVA_LONG, t, 'a' + t);
            positions.setAtIndex(JAVA_LONG, t, t);
        }
        for (int t = 0; t < plan.maskPast() + LENGTH; t++) {
            mask.setAtIndex(JAVA_LONG, t, 1);
        }
        tensors.add(Tensor.over(cpu, ids, ElementType.INT64, 1, LENGTH));
        tensors.add(Tensor.over(cpu, mask, ElementType.INT64, 1, plan.maskPast() + LENGTH));
        tensors.add(Tensor.over(cpu, positions, ElementType.INT64, 1, LENGTH));
        for (ModelPlan.StateSpec spec : plan.state()) {
            Tensor state = Tensor.allocate(allocator, ElementType.FLOAT, spec.batched(1));
            state.hostData().fill((byte) 0);
            tensors.add(state);
        }
        if (plan.scoresTokens()) {
            MemorySegment targets = arena.allocate(JAVA_LONG, LENGTH);
            targets.fill((byte) -1);
            tensors.add(Tensor.over(cpu, targets, ElementType.INT64, 1, LENGTH));
        }
        return tensors;
    }

    private static void bind(IoBinding binding, List<Tensor> inputs) {
        binding.bindInput("input_ids", inputs.get(0));
        binding.bindInput("attention_mask", inputs.get(1));
        binding.bindInput("position_ids", inputs.get(2));
        for (int i = 0; i < plan.state().size(); i++) {
            binding.bindInput(plan.state().get(i).input(), inputs.get(3 + i));
        }
        if (plan.scoresTokens()) {
            binding.bindInput("target_ids", inputs.get(3 + plan.state().size()));
        }
    }

    private static float[] onnxRuntimeJava() throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] ids = new long[LENGTH];
        long[] positions = new long[LENGTH];
        long[] mask = new long[plan.maskPast() + LENGTH];
        for (int t = 0; t < LENGTH; t++) {
            ids[t] = 'a' + t;
            positions[t] = t;
        }
        java.util.Arrays.fill(mask, 1L);
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(dir.resolve("model.onnx").toString(), options)) {
                inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {1, LENGTH}));
                inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask),
                        new long[] {1, plan.maskPast() + LENGTH}));
                inputs.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(positions), new long[] {1, LENGTH}));
                for (ModelPlan.StateSpec spec : plan.state()) {
                    inputs.put(spec.input(), OnnxTensor.createTensor(env,
                            FloatBuffer.wrap(new float[Math.toIntExact(spec.elements())]), spec.batched(1)));
                }
                if (plan.scoresTokens()) {
                    long[] targets = new long[LENGTH];
                    java.util.Arrays.fill(targets, -1L);
                    inputs.put("target_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(targets), new long[] {1, LENGTH}));
                }
                try (OrtSession.Result result = session.run(inputs, java.util.Set.of("last_hidden_state"))) {
                    FloatBuffer buffer = ((OnnxTensor) result.get("last_hidden_state").orElseThrow()).getFloatBuffer();
                    float[] out = new float[buffer.remaining()];
                    buffer.get(out);
                    return out;
                }
            } finally {
                inputs.values().forEach(OnnxTensor::close);
            }
        }
    }
}
