package dev.pagewise.bench;

/**
 * What a run says of a target, judged on confidence intervals, never on point estimates alone: a noisy run
 * neither meets nor misses a target its error bars straddle.
 */
enum Verdict {
    /** The whole confidence interval meets the target. */
    MET("met"),
    /** The whole confidence interval misses the target. */
    MISSED("**missed**"),
    /** The interval straddles the target: this run cannot tell. */
    INCONCLUSIVE("inconclusive"),
    /** A benchmark the target needs did not run. */
    NOT_MEASURED("not measured");

    private final String label;

    Verdict(String label) {
        this.label = label;
    }

    /** {@return the verdict of an interval {@code [low, high]} against {@code bound}, when lower values are better} */
    static Verdict atMost(double low, double high, double bound) {
        if (Double.isNaN(low) || Double.isNaN(high)) {
            return INCONCLUSIVE;
        }
        return high <= bound ? MET : low > bound ? MISSED : INCONCLUSIVE;
    }

    /** {@return the verdict of an interval {@code [low, high]} against {@code bound}, when higher values are better} */
    static Verdict atLeast(double low, double high, double bound) {
        if (Double.isNaN(low) || Double.isNaN(high)) {
            return INCONCLUSIVE;
        }
        return low >= bound ? MET : high < bound ? MISSED : INCONCLUSIVE;
    }

    String label() {
        return label;
    }
}
