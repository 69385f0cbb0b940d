package io.baton.evaluation.bpb;

import io.baton.gateway.segmenting.Segment;
import io.baton.gateway.segmenting.Segmenter;
import io.baton.inference.models.DocumentState;
import io.baton.inference.models.SegmentInput;
import io.baton.inference.models.SegmentModel;
import io.baton.inference.models.SegmentOutput;
import io.baton.inference.segments.Readouts;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Bits per byte of a model on texts, two ways over the same segments:
 * <ul>
 *   <li><b>carried</b>: each segment continues from the state the previous one left (what the
 *       services do for a document);</li>
 *   <li><b>reset</b>: every segment starts from the model's initial state (zeros, positions
 *       from 0), as if it were a document of its own.</li>
 * </ul>
 * The segments are the gateway's ({@link Segmenter}: at most N tokens, cut as it is told); the
 * model runs in ONNX Runtime through the inference service's {@link SegmentModel}, and each
 * position's negative log-likelihood of the next token is the inference service's own
 * {@link Readouts#tokenNll} of a run that fetches it as the service's does (the graph's {@code
 * token_nll}; the {@code tokenNll} of {@code POST /v1/segments}). A segment's
 * last position is scored against the next segment's first token, in both ways, so both score
 * every token of a text but its first. bpb = (sum of NLL in nats) / ln 2 / (UTF-8 bytes of the
 * texts).
 */
public final class BitsPerByte {

    private final SegmentModel model;
    private final Segmenter segmenter;

    public BitsPerByte(SegmentModel model, Segmenter segmenter) {
        this.model = model;
        this.segmenter = segmenter;
    }

    /**
     * Totals over several texts.
     *
     * @param texts       texts measured
     * @param bytes       their UTF-8 bytes
     * @param tokens      their tokens
     * @param scored      tokens scored (every token but each text's first)
     * @param segments    segments run (in each way)
     * @param carriedNats sum of NLL with the state carried
     * @param resetNats   sum of NLL with the state reset at every segment
     */
    public record Result(long texts, long bytes, long tokens, long scored, long segments, double carriedNats,
                         double resetNats) {

        static final Result EMPTY = new Result(0, 0, 0, 0, 0, 0, 0);

        public double carriedBitsPerByte() {
            return carriedNats / Math.log(2) / bytes;
        }

        public double resetBitsPerByte() {
            return resetNats / Math.log(2) / bytes;
        }

        Result plus(Result o) {
            return new Result(texts + o.texts, bytes + o.bytes, tokens + o.tokens, scored + o.scored,
                    segments + o.segments, carriedNats + o.carriedNats, resetNats + o.resetNats);
        }
    }

    /** Measures every text and adds up. */
    public Result measure(List<String> texts) {
        Result total = Result.EMPTY;
        for (String text : texts) {
            total = total.plus(measure(text));
        }
        return total;
    }

    /** Measures one text. */
    public Result measure(String text) {
        List<long[]> segments = new ArrayList<>();
        segmenter.segments(text).forEachRemaining((Segment s) -> segments.add(s.tokens()));
        DocumentState carried = model.initialState(1);
        double carriedNats = 0;
        double resetNats = 0;
        long tokens = 0;
        long scored = 0;
        for (int i = 0; i < segments.size(); i++) {
            long[] ids = segments.get(i);
            long next = i + 1 < segments.size() ? segments.get(i + 1)[0] : -1;
            SegmentOutput withState = scores(new SegmentInput(ids, carried, next));
            carried = withState.next();
            double[] nll = Readouts.tokenNll(withState, ids, next);
            carriedNats += sum(nll);
            resetNats += sum(Readouts.tokenNll(scores(new SegmentInput(ids, model.initialState(1), next)), ids, next));
            tokens += ids.length;
            scored += nll.length;
        }
        return new Result(1, text.getBytes(StandardCharsets.UTF_8).length, tokens, scored, segments.size(), carriedNats,
                resetNats);
    }

    /** One segment run as the service runs it: fetching each token's NLL, not the logits. */
    private SegmentOutput scores(SegmentInput segment) {
        return model.run(List.of(segment), SegmentModel.Fetch.TOKEN_NLL).get(0);
    }

    private static double sum(double[] values) {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s;
    }
}
