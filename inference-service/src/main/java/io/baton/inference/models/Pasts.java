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
 *
 * <p>In a ragged batch (fixed windows only, {@link StatePlan#ragged()}), the segment part of a
 * shorter row's mask is 0 over its padding, and its windows keep the slots that end at its last
 * real token instead of the last ones.
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

    /**
     * {@code attention_mask} for a batch of {@code length} columns (T, the longest segment) whose row
     * b has {@code lengths[b]} real tokens: [batch, maskPast + length], row-major. The past part is
     * as described above; of the last T columns, a row's first {@code lengths[b]} are 1 and the rest,
     * its padding in a ragged batch, 0 (all 1 when every segment has T tokens).
     */
    long[] mask(int[] lengths, int length) {
        int columns = maskPast + length;
        long[] mask = new long[segments.size() * columns];
        for (int b = 0; b < segments.size(); b++) {
            int masked = plan.pastGrows() ? maskPast - real[b] : 0;
            Arrays.fill(mask, b * columns + masked, b * columns + maskPast + lengths[b], 1L);
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

    /**
     * Each document's next value of state tensor {@code s} from its {@code present} output, retention
     * applied; {@code padding[b]} is how many of the T new slots of row b are padding (a ragged
     * batch's shorter row: its window ends at its last real token), all 0 in a batch of one length
     * (always where the window grows: {@link StatePlan} refuses a ragged plan with such a window).
     */
    List<FloatTensor> retain(StateTensorSpec s, FloatTensor present, int[] padding) {
        List<FloatTensor> rows = present.split();
        List<FloatTensor> out = new ArrayList<>(rows.size());
        for (int b = 0; b < rows.size(); b++) {
            if (s.grows()) {
                // drop the zero slots this row's past was padded with in front
                int axis = s.retention().axis();
                long skip = padded.get(s.input()) - lengths.get(s.input())[b];
                out.add(s.retention().apply(rows.get(b).narrow(axis, skip, present.shape()[axis] - skip)));
            } else {
                out.add(s.retention().apply(rows.get(b), padding[b]));
            }
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
