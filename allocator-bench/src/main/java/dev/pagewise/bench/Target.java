package dev.pagewise.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A target an issue set for the suite, judged on the confidence intervals of one run.
 *
 * @param name   what the target says, as the report prints it
 * @param kind   how the two results are compared
 * @param ours   the result the target is about
 * @param anchor what it is compared with
 * @param bound  the bound: a factor, or for {@link Kind#OVERHEAD} an amount in the results' unit
 */
record Target(String name, Kind kind, Pick ours, Pick anchor, double bound) {

    /** How a target compares its two results. */
    enum Kind {
        /** {@code anchor / ours >= bound}, for times: ours is at least {@code bound} times as fast. */
        FASTER,
        /** {@code ours / anchor <= bound}, for times: ours takes at most {@code bound} times as long. */
        WITHIN,
        /** {@code ours / anchor >= bound}, for throughputs. */
        THROUGHPUT,
        /** {@code ours - anchor <= bound}, in the results' unit. */
        OVERHEAD
    }

    /** The judgement of a target on one run, and the figures behind it. */
    record Evaluation(Target target, Verdict verdict, String measured) {
    }

    /** Which result a target reads: a benchmark with some parameters, or the fastest of several. */
    sealed interface Pick {
        Result find(List<Result> results);

        Stream<String> benchmarks();
    }

    /** One benchmark, by {@code Class.method}, with the parameters it must have. */
    record Bench(String shortName, Map<String, String> params) implements Pick {
        @Override
        public Result find(List<Result> results) {
            Predicate<Result> matches = r -> r.shortName().equals(shortName)
                    && params.entrySet().stream().allMatch(e -> r.param(e.getKey()).equals(e.getValue()));
            return results.stream().filter(matches).findFirst().orElse(null);
        }

        @Override
        public Stream<String> benchmarks() {
            return Stream.of(shortName);
        }

        @Override
        public String toString() {
            return shortName + (params.isEmpty() ? "" : params.toString());
        }
    }

    /** The best score of several benchmarks: a target against "the faster of the two" anchors. */
    record Fastest(List<Bench> choices) implements Pick {
        @Override
        public Result find(List<Result> results) {
            Result best = null;
            for (Bench b : choices) {
                Result r = b.find(results);
                if (r == null) {
                    return null; // the faster of two cannot be named when one of them did not run
                }
                if (best == null || (r.lowerIsBetter() ? r.score() < best.score() : r.score() > best.score())) {
                    best = r;
                }
            }
            return best;
        }

        @Override
        public Stream<String> benchmarks() {
            return choices.stream().map(Bench::shortName);
        }
    }

    /** {@return the benchmark {@code shortName} with parameters given as name, value, name, value ...} */
    static Bench bench(String shortName, String... params) {
        if (params.length % 2 != 0) {
            throw new IllegalArgumentException("params come in name, value pairs: " + Arrays.toString(params));
        }
        Map<String, String> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            map.put(params[i], params[i + 1]);
        }
        return new Bench(shortName, Map.copyOf(map));
    }

    static Fastest fastest(Bench... choices) {
        return new Fastest(List.of(choices));
    }

    /** {@return a target that {@code ours} be at least {@code times} as fast as {@code anchor}} */
    static Target faster(String name, Pick ours, Pick anchor, double times) {
        return new Target(name, Kind.FASTER, ours, anchor, times);
    }

    /** {@return a target that {@code ours} take at most {@code times} the time of {@code anchor}} */
    static Target within(String name, Pick ours, Pick anchor, double times) {
        return new Target(name, Kind.WITHIN, ours, anchor, times);
    }

    /** {@return a target that the throughput of {@code ours} be at least {@code times} that of {@code anchor}} */
    static Target throughput(String name, Pick ours, Pick anchor, double times) {
        return new Target(name, Kind.THROUGHPUT, ours, anchor, times);
    }

    /** {@return a target that {@code ours} cost at most {@code bound} more than {@code anchor}, in their unit} */
    static Target overhead(String name, Pick ours, Pick anchor, double bound) {
        return new Target(name, Kind.OVERHEAD, ours, anchor, bound);
    }

    Evaluation evaluate(List<Result> results) {
        Result a = ours.find(results);
        Result b = anchor.find(results);
        if (a == null || b == null) {
            return new Evaluation(this, Verdict.NOT_MEASURED, "did not run: " + (a == null ? ours : anchor));
        }
        String figures = String.format(Locale.ROOT, "%s vs %s %s", BenchReport.score(a), BenchReport.score(b), b.unit());
        // The interval of a ratio or difference is taken from the ends of both intervals: wide, never flattering.
        double value;
        double low;
        double high;
        switch (kind) {
            case OVERHEAD -> {
                value = a.score() - b.score();
                low = a.low() - b.high();
                high = a.high() - b.low();
            }
            case FASTER -> {
                value = b.score() / a.score();
                low = ratio(b.low(), a.high());
                high = ratio(b.high(), a.low());
            }
            default -> {
                value = a.score() / b.score();
                low = ratio(a.low(), b.high());
                high = ratio(a.high(), b.low());
            }
        }
        Verdict verdict = kind == Kind.OVERHEAD || kind == Kind.WITHIN
                ? Verdict.atMost(low, high, bound) : Verdict.atLeast(low, high, bound);
        String format = kind == Kind.OVERHEAD ? "%+.2f [%+.2f, %+.2f] (%s)" : "%.2fx [%.2f, %.2f] (%s)";
        return new Evaluation(this, verdict, String.format(Locale.ROOT, format, value, low, high, figures));
    }

    /** A ratio of interval ends: unknown when either is, unbounded when the denominator's interval reaches zero. */
    private static double ratio(double numerator, double denominator) {
        if (Double.isNaN(numerator) || Double.isNaN(denominator)) {
            return Double.NaN;
        }
        return denominator > 0 ? numerator / denominator : Double.POSITIVE_INFINITY;
    }

    /** {@return every benchmark this target reads} */
    Stream<String> benchmarks() {
        return Stream.concat(ours.benchmarks(), anchor.benchmarks());
    }
}
