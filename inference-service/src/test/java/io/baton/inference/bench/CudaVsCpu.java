package io.baton.inference.bench;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import io.baton.common.state.StateContainer;
import io.baton.inference.models.DocumentState;
import io.baton.inference.models.FloatTensor;
import io.baton.inference.models.Goldens;
import io.baton.inference.models.SegmentInput;
import io.baton.inference.models.SegmentModel;
import io.baton.inference.models.SegmentModel.Fetch;
import io.baton.inference.models.SegmentOutput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Every model folder given, run segment by segment over its golden splits ({@code whole},
 * {@code segments-64}, {@code segments-ragged}) with the CUDA execution provider and with the CPU
 * provider, state carried in each: the largest absolute differences between the two (logits,
 * last hidden state, final state, and the graph's {@code token_nll} where the model has it, fetched
 * as segments fetch it) and of each against the Python goldens. CUDA runs twice: with
 * ONNX Runtime's defaults (TF32 matrix products allowed on Ampere and later) and with
 * {@code use_tf32=0} (plain fp32).
 *
 * <p>Arguments: {@code modelDir...}; device 0. Uses only ONNX Runtime Java API that 1.22.0 has.
 */
public final class CudaVsCpu {

    static final List<String> SPLITS = List.of("whole", "segments-64", "segments-ragged");

    public static void main(String[] args) throws IOException, OrtException {
        System.out.println("| model | split | logits CUDA vs CPU | hidden CUDA vs CPU | state CUDA vs CPU "
                + "| logits CUDA (TF32 off) vs CPU | hidden CUDA (TF32 off) vs CPU | state CUDA (TF32 off) vs CPU "
                + "| logits CPU vs golden | logits CUDA vs golden | largest |logit| "
                + "| token_nll CUDA vs CPU | token_nll CUDA (TF32 off) vs CPU |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        double worstDefault = 0;
        double worstFp32 = 0;
        double worstNll = 0;
        for (String arg : args) {
            Path dir = Path.of(arg);
            try (OrtSession.SessionOptions cpuOptions = BenchModels.options(0);
                 OrtSession.SessionOptions cudaOptions = BenchModels.options(0);
                 OrtSession.SessionOptions fp32Options = BenchModels.options(0);
                 OrtCUDAProviderOptions fp32 = new OrtCUDAProviderOptions(0)) {
                cudaOptions.addCUDA(0);
                fp32.add("use_tf32", "0");
                fp32.add("cudnn_conv_algo_search", BenchModels.convolutionSearch().toUpperCase(Locale.ROOT));
                fp32Options.addCUDA(fp32);
                try (SegmentModel cpu = SegmentModel.load(dir, cpuOptions);
                     SegmentModel cuda = SegmentModel.load(dir, cudaOptions);
                     SegmentModel cudaFp32 = SegmentModel.load(dir, fp32Options)) {
                    for (String split : SPLITS) {
                        StateContainer golden = Goldens.read(dir.resolve("golden/" + split + ".safetensors"));
                        long[] ids = Goldens.longs(golden, "input_ids");
                        long[] lengths = Goldens.longs(golden, "segment_lengths");
                        Run onCpu = run(cpu, ids, lengths);
                        Run onCuda = run(cuda, ids, lengths);
                        Run onFp32 = run(cudaFp32, ids, lengths);
                        FloatTensor want = Goldens.floats(golden, "logits");
                        double[] d = {
                            onCuda.logits.maxAbsDifference(onCpu.logits), onCuda.hidden.maxAbsDifference(onCpu.hidden),
                            onCuda.stateDifference(onCpu),
                            onFp32.logits.maxAbsDifference(onCpu.logits), onFp32.hidden.maxAbsDifference(onCpu.hidden),
                            onFp32.stateDifference(onCpu),
                            onCpu.logits.maxAbsDifference(want), onCuda.logits.maxAbsDifference(want)};
                        worstDefault = Math.max(worstDefault, Math.max(d[0], Math.max(d[1], d[2])));
                        worstFp32 = Math.max(worstFp32, Math.max(d[3], Math.max(d[4], d[5])));
                        StringBuilder row = new StringBuilder("| " + cpu.id() + " | " + split + " (" + lengths.length + ") |");
                        for (double x : d) {
                            row.append(String.format(Locale.ROOT, " %.1e |", x));
                        }
                        double largest = 0;
                        for (float v : onCpu.logits.values()) {
                            largest = Math.max(largest, Math.abs(v));
                        }
                        row.append(String.format(Locale.ROOT, " %.1f |", largest));
                        if (cpu.hasTokenNll()) {
                            double nllDefault = onCuda.nll.maxAbsDifference(onCpu.nll);
                            double nllFp32 = onFp32.nll.maxAbsDifference(onCpu.nll);
                            worstNll = Math.max(worstNll, nllFp32);
                            row.append(String.format(Locale.ROOT, " %.1e | %.1e |", nllDefault, nllFp32));
                        } else {
                            row.append(" - | - |");
                        }
                        System.out.println(row);
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%nLargest CUDA vs CPU difference over all models, splits and outputs: "
                + "%.2e with ONNX Runtime's CUDA defaults, %.2e with use_tf32=0; token_nll with use_tf32=0: %.2e.%n",
                worstDefault, worstFp32, worstNll);
    }

    /** The concatenated outputs and the final state of one document run segment by segment. */
    record Run(FloatTensor logits, FloatTensor hidden, FloatTensor nll, DocumentState state) {

        double stateDifference(Run other) {
            double worst = 0;
            for (var e : state.tensors().entrySet()) {
                worst = Math.max(worst, e.getValue().maxAbsDifference(other.state.tensors().get(e.getKey())));
            }
            return worst;
        }
    }

    static Run run(SegmentModel model, long[] ids, long[] lengths) {
        DocumentState state = model.initialState(1);
        List<FloatTensor> logits = new ArrayList<>();
        List<FloatTensor> hidden = new ArrayList<>();
        List<FloatTensor> nll = new ArrayList<>();
        int start = 0;
        for (long length : lengths) {
            long[] segment = Arrays.copyOfRange(ids, start, start + (int) length);
            SegmentOutput out = model.run(segment, state);
            logits.add(out.logits());
            hidden.add(out.lastHiddenState());
            if (model.hasTokenNll()) {
                long next = start + length < ids.length ? ids[start + (int) length] : -1;
                FloatTensor scored = model.run(List.of(new SegmentInput(segment, state, next)), Fetch.TOKEN_NLL)
                        .get(0).tokenNll();
                nll.add(new FloatTensor(new long[] {1, length, 1}, scored.values()));
            }
            state = out.next();
            start += (int) length;
        }
        return new Run(Goldens.concatSequence(logits), Goldens.concatSequence(hidden),
                nll.isEmpty() ? null : Goldens.concatSequence(nll), state);
    }

    private CudaVsCpu() {
    }
}
