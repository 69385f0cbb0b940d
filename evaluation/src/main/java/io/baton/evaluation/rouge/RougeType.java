package io.baton.evaluation.rouge;

/** The ROUGE variants, named as in rouge-score. */
public enum RougeType {
    /** Unigram overlap. */
    ROUGE1("rouge1"),
    /** Bigram overlap. */
    ROUGE2("rouge2"),
    /** Longest common subsequence of the whole token sequences. */
    ROUGEL("rougeL"),
    /** Summary-level LCS: union LCS of each reference line against every prediction line. */
    ROUGELSUM("rougeLsum");

    private final String label;

    RougeType(String label) {
        this.label = label;
    }

    /** rouge-score's name, e.g. {@code rougeLsum}. */
    public String label() {
        return label;
    }
}
