package dev.pagewise.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One JMH result: the score, its 99.9% confidence interval as JMH computes it, and how it was measured.
 *
 * @param benchmark  the benchmark's full name
 * @param mode       JMH's mode ({@code avgt}, {@code thrpt})
 * @param threads    threads per fork
 * @param forks      forks measured
 * @param iterations measured iterations per fork
 * @param score      the mean
 * @param error      half the width of the confidence interval ({@code NaN} from a single iteration)
 * @param low        the interval's lower end
 * @param high       the interval's upper end
 * @param unit       the score's unit
 * @param params     the benchmark's parameters
 */
record Result(String benchmark, String mode, int threads, int forks, int iterations, double score, double error,
              double low, double high, String unit, Map<String, String> params) {

    /** {@return the results in the JSON that JMH writes with {@code -rf json}} */
    @SuppressWarnings("unchecked")
    static List<Result> fromJmhJson(String json) {
        List<Result> out = new ArrayList<>();
        for (Object o : (List<Object>) Json.parse(json)) {
            Map<String, Object> run = (Map<String, Object>) o;
            Map<String, Object> metric = (Map<String, Object>) run.get("primaryMetric");
            Map<String, String> params = new LinkedHashMap<>();
            Object p = run.get("params");
            if (p != null) {
                ((Map<String, Object>) p).forEach((k, v) -> params.put(k, String.valueOf(v)));
            }
            double score = number(metric.get("score"));
            double error = number(metric.get("scoreError"));
            List<Object> confidence = (List<Object>) metric.get("scoreConfidence");
            double low = confidence == null ? Double.NaN : number(confidence.get(0));
            double high = confidence == null ? Double.NaN : number(confidence.get(1));
            out.add(new Result((String) run.get("benchmark"), (String) run.get("mode"), (int) number(run.get("threads")),
                    (int) number(run.get("forks")), (int) number(run.get("measurementIterations")), score, error,
                    low, high, (String) metric.get("scoreUnit"), params));
        }
        return out;
    }

    private static double number(Object o) {
        return switch (o) {
            case Double d -> d;
            case String s -> s.equals("NaN") ? Double.NaN : Double.parseDouble(s);
            case null -> Double.NaN;
            default -> throw new IllegalArgumentException("not a number: " + o);
        };
    }

    /** {@return {@code Class.method}, the name targets and tables use} */
    String shortName() {
        String[] parts = benchmark.split("\\.");
        return parts[parts.length - 2] + "." + parts[parts.length - 1];
    }

    String method() {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    String param(String name) {
        return params.getOrDefault(name, "");
    }

    /** {@return whether lower scores are better (times) rather than higher (throughput)} */
    boolean lowerIsBetter() {
        return !mode.equals("thrpt");
    }
}
