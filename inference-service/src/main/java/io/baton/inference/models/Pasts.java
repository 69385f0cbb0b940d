package io.baton.inference.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The past of one batch: every state tensor of the documents stacked along the batch axis, the
 * past part of {@code attention_mask}, and the way back from {@code present*} outputs to each
 * document's next state.
 *
 * <p>A fixed window is the same size for every document, and its mask is all ones (the models
 * built here tell empty slots by position). A growing window (hub exports) holds as many slots as
 * the document has kept, so the documents' pasts are padded in front with zero slots up to the
 * batch's longest past and those slots are masked out: a document's mask row is zeros, then ones
 * over its real past and the segment. The past part of the mask is as long as the longest
 * padded past; a layer that keeps fewer slots reads the last {@code past + segment} columns of it
 * (right-aligned), which is how hub exports with sliding and global layers take one mask.
 */
final class Pasts {

    private final StatePlan plan;
    private final List<SegmentInput> segments;
    /** Growing windows: each document's past length, by input name. */
    private final Map<String, int[]> lengths = new HashMap<>();
    /** Growing windows: the batch's longest past, by input name. */
    private final Map<String, Integer> padded = new HashMap<>();
    /** Growing windows: each document's longest past over all its windows. */
    private final int[] real;
    private final int maskPast;

    private Pasts(StatePlan plan, List<SegmentInput> segments) {
        this.plan = plan;
        this.segments = segments;
        this.real = new int[segments.size()];
        int longest = 0;
        for (StateTensorSpec s : plan.state()) {
            if (!s.grows()) {
                continue;
            }
            int[] each = new int[segments.size()];
            for (int b = 0; b < each.length; b++) {
                each[b] = Math.toIntExact(tensor(b, s).shape()[s.retention().axis()]);
                real[b] = Math.max(real[b], each[b]);
            }
            int most = Arrays.stream(each).max().orElse(0);
            lengths.put(s.input(), each);
            padded.put(s.input(), most);
            longest = Math.max(longest, most);
        }
        this.maskPast = plan.pastGrows() ? longest : plan.maskPast();
    }

    static Pasts of(StatePlan plan, List<SegmentInput> segments) {
        return new Pasts(plan, segments);
    }

    /** The length of the past part of {@code attention_mask}. */
    int maskPast() {
        return maskPast;
    }

    /** {@code attention_mask} for segments of {@code length} tokens: [batch, maskPast + length], row-major. */
    long[] mask(int length) {
        int columns = maskPast + length;
        long[] mask = new long[segments.size() * columns];
        for (int b = 0; b < segments.size(); b++) {
            int masked = plan.pastGrows() ? maskPast - real[b] : 0;
            Arrays.fill(mask, b * columns + masked, (b + 1) * columns, 1L);
        }
        return mask;
    }

    /** The input for state tensor {@code s}: the documents' tensors, padded where the window grows, stacked. */
    FloatTensor batched(StateTensorSpec s) {
        List<FloatTensor> parts = new ArrayList<>(segments.size());
        for (int b = 0; b < segments.size(); b++) {
            FloatTensor past = tensor(b, s);
            parts.add(s.grows() ? past.padFront(s.retention().axis(), padded.get(s.input())) : past);
        }
        return FloatTensor.stack(parts);
    }

    /** Each document's next value of state tensor {@code s} from its {@code present} output, retention applied. */
    List<FloatTensor> retain(StateTensorSpec s, FloatTensor present) {
        if (!s.grows()) {
            return s.retention().apply(present).split();
        }
        int axis = s.retention().axis();
        int padding = padded.get(s.input());
        long total = present.shape()[axis];
        List<FloatTensor> rows = present.split();
        List<FloatTensor> out = new ArrayList<>(rows.size());
        for (int b = 0; b < rows.size(); b++) {
            int own = lengths.get(s.input())[b];
            long skip = padding - own;
            out.add(s.retention().apply(rows.get(b).narrow(axis, skip, total - skip)));
        }
        return out;
    }

    private FloatTensor tensor(int document, StateTensorSpec s) {
        FloatTensor tensor = segments.get(document).state().tensors().get(s.input());
        if (tensor == null) {
            throw new IllegalArgumentException("the state of document " + document + " in the batch has no "
                    + s.input());
        }
        return tensor;
    }
}
