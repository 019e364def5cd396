package dev.pagewise.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Writes the server load test's report from the steps {@code scripts/load-server} records with
 * {@link RateLoad}: per workload, the rate each allocator sustains (the highest step that passed the SLO), its
 * corrected latencies there, a dot plot, every step, and the targets' verdicts. A target is judged on the
 * range over rounds as the benchmark report judges one on a confidence interval: met when the worst round
 * of Pagewise against the best of the anchor meets it, missed when even the best against the worst misses it.
 *
 * <p>{@code ServerReport steps.csv workloads.csv out-dir name slo-ms command}: writes {@code name.md} and
 * {@code name-<workload>.svg}. {@code ServerReport --header} prints the header the steps file starts with.
 */
public final class ServerReport {

    static final List<String> ALLOCATORS = List.of("pagewise", "pagewise-scrub", "jdk", "netty");

    /** One step of one round: which, what {@link RateLoad} measured, and whether it passed the report's SLO. */
    record Step(int round, String workload, String allocator, RateLoad.Step load, boolean pass) {

        /** The header of the steps file: these three columns, then {@link RateLoad#HEADER}'s. */
        static final String HEADER = "round,workload,allocator," + RateLoad.HEADER;
        /** The header of a steps file written before steps recorded the server's CPU time, which still reads. */
        static final String HEADER_WITHOUT_CPU = "round,workload,allocator," + RateLoad.HEADER_WITHOUT_CPU;

        /** {@return a line of the steps file, judged against {@code sloMillis}} */
        static Step parse(String line, double sloMillis) {
            String[] c = line.split(",", 4);
            if (c.length != 4) {
                throw new IllegalArgumentException("a step has the columns " + HEADER + ", not: " + line);
            }
            RateLoad.Step load = RateLoad.Step.parse(c[3]);
            try {
                return new Step(Integer.parseInt(c[0]), c[1], c[2], load, load.passes(sloMillis));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a step's round must be a number: " + line, e);
            }
        }

        double offered() {
            return load.offered();
        }

        double achieved() {
            return load.achieved();
        }
    }

    /**
     * What one allocator sustained in one workload, over its rounds: the passing step of each round with the
     * highest rate. {@code capped} when in some round that step was the ladder's last: the allocator may sustain more.
     */
    record Sustained(String allocator, List<Step> best, boolean capped) {
        double median(java.util.function.ToDoubleFunction<Step> f) {
            return ServerReport.median(best.stream().mapToDouble(f).filter(v -> !Double.isNaN(v)).sorted().toArray());
        }

        double min() {
            return best.stream().mapToDouble(Step::achieved).min().orElse(Double.NaN);
        }

        double max() {
            return best.stream().mapToDouble(Step::achieved).max().orElse(Double.NaN);
        }
    }

    /** A workload's target: Pagewise sustains at least {@code factor} times the JDK arena's rate. */
    record Goal(String workload, double factor, String name) {
    }

    static final List<Goal> GOALS = List.of(
            new Goal("json", 2.0, "json: Pagewise sustains >= 2x the JDK arena's rate at the SLO"),
            new Goal("csv", 1.0, "csv: Pagewise sustains at least the JDK arena's rate at the SLO (parity)"));

    private ServerReport() {
    }

    /** {@return what an allocator sustained: per round, its passing step with the highest offered rate} */
    static Sustained sustained(List<Step> steps, String workload, String allocator) {
        Map<Integer, Step> best = new TreeMap<>();
        Map<Integer, Double> highest = new TreeMap<>();
        for (Step s : steps) {
            if (s.workload().equals(workload) && s.allocator().equals(allocator)) {
                highest.merge(s.round(), s.offered(), Math::max);
                if (s.pass()) {
                    best.merge(s.round(), s, (a, b) -> a.offered() >= b.offered() ? a : b);
                }
            }
        }
        boolean capped = best.values().stream().anyMatch(s -> s.offered() >= highest.get(s.round()));
        return new Sustained(allocator, List.copyOf(best.values()), capped);
    }

    /** {@return the verdict of ours / anchor against {@code factor}, judged on the ranges over rounds} */
    static Verdict verdict(Sustained ours, Sustained anchor, double factor) {
        if (ours.best().isEmpty() || anchor.best().isEmpty()) {
            return Verdict.NOT_MEASURED;
        }
        Verdict v = Verdict.atLeast(ours.min() / anchor.max(), ours.max() / anchor.min(), factor);
        // a capped rate is a lower bound: it can confirm a verdict in its own favour, never one against it
        if ((v == Verdict.MET && anchor.capped()) || (v == Verdict.MISSED && ours.capped())) {
            return Verdict.INCONCLUSIVE;
        }
        return v;
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 1 && args[0].equals("--header")) {
            System.out.println(Step.HEADER);
            return;
        }
        if (args.length != 6) {
            throw new IllegalArgumentException("usage: ServerReport steps.csv workloads.csv out-dir name slo-ms command");
        }
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        double slo = Double.parseDouble(args[4]);
        if (lines.isEmpty() || !(lines.getFirst().equals(Step.HEADER) || lines.getFirst().equals(Step.HEADER_WITHOUT_CPU))) {
            throw new IllegalArgumentException(args[0] + " must start with the header " + Step.HEADER + ", not: "
                    + (lines.isEmpty() ? "an empty file" : lines.getFirst()));
        }
        List<Step> steps = lines.subList(1, lines.size()).stream().map(l -> Step.parse(l, slo)).toList();
        List<String> workloads = Files.readAllLines(Path.of(args[1]));
        Path out = Path.of(args[2]);
        String name = args[3];
        int rounds = steps.stream().mapToInt(Step::round).max().orElse(0);

        StringBuilder md = new StringBuilder("# Arena per request: a real server at a constant rate\n\n");
        md.append("Written by `").append(args[5]).append("` on ").append(LocalDate.now()).append(", ")
                .append(Machine.cpus()).append(", 127.0.0.1. `OrderServer` (examples) "
                        + "reads each request's body into off-heap memory, does its work there and answers JSON built "
                        + "off-heap; only the source of that memory changes: a Pagewise `ArenaPool` lease (64 slots of "
                        + "4 MiB, keepResident), the same with background scrubbing, a fresh `Arena.ofConfined()`, or "
                        + "Netty's pooled direct buffers (one per allocation). JDK HttpServer on virtual threads, 512 MiB "
                        + "heap, pinned to one CPU; the load generator on the other.\n\n");
        md.append(String.format(Locale.ROOT, "The load is open: `RateLoad` (allocator-bench) offers a constant rate over "
                + "64 keep-alive connections and times each request from when it was due, not from when it was sent, so "
                + "a server that falls behind is charged for every request that waited (latencies corrected for "
                + "coordinated omission, as wrk2 does). Each server is warmed up, then offered rising rates; a step "
                + "passes when it achieves 95%% of the offered rate with no error and a corrected p99 of at most "
                + "%.0f ms. The ladder stops after two failed steps in a row and bisects between the highest passing step and the failure above it. An allocator's "
                + "*sustained rate* is the achieved rate of its highest passing step; the figures are medians of "
                + "%d round%s, in rotated order. A target is met when the lowest round of Pagewise against the "
                + "highest of the JDK arena meets it, missed when even the highest against the lowest misses it, "
                + "inconclusive otherwise.%n", slo, rounds, rounds == 1 ? "" : "s"));

        md.append("\n## Targets\n\n| Target | Measured [range over rounds] | Verdict |\n|---|---|---|\n");
        for (Goal goal : GOALS) {
            Sustained pw = sustained(steps, goal.workload(), "pagewise");
            Sustained jdk = sustained(steps, goal.workload(), "jdk");
            Verdict v = verdict(pw, jdk, goal.factor());
            md.append(String.format(Locale.ROOT, "| %s | %s | %s |%n", goal.name(), v == Verdict.NOT_MEASURED ? "-"
                    : String.format(Locale.ROOT, "%.2fx [%.2f, %.2f] (%.0f vs %.0f requests/s)",
                            pw.median(Step::achieved) / jdk.median(Step::achieved), pw.min() / jdk.max(),
                            pw.max() / jdk.min(), pw.median(Step::achieved), jdk.median(Step::achieved)), v.label()));
        }

        for (String workload : workloads.subList(1, workloads.size())) {
            String[] w = workload.split(",");
            section(md, w[0], Long.parseLong(w[1]), Long.parseLong(w[2]), steps, slo, rounds);
            List<Svg.Dot> dots = new ArrayList<>();
            for (String allocator : ALLOCATORS) {
                Sustained s = sustained(steps, w[0], allocator);
                if (!s.best().isEmpty()) {
                    dots.add(new Svg.Dot(allocator, s.median(Step::achieved), s.min(), s.max(), allocator.startsWith("pagewise")));
                }
            }
            String chart = name + "-" + w[0] + ".svg";
            Files.writeString(out.resolve(chart), Svg.dots(String.format(Locale.ROOT,
                    "OrderServer, %s: requests/s sustained at p99 <= %.0f ms (higher is better)", w[0], slo),
                    dots, "requests/s", false, "range over " + rounds + " rounds"));
            md.append("\n![").append(w[0]).append(" sustained rate](").append(chart).append(")\n");
            steps(md, w[0], steps);
        }
        Files.writeString(out.resolve(name + ".md"), md.toString());
        System.out.println("wrote " + out.resolve(name + ".md"));
    }

    private static void section(StringBuilder md, String workload, long bytes, long allocations, List<Step> steps,
                                double slo, int rounds) {
        md.append(String.format(Locale.ROOT, "%n## Workload %s: %.1f KiB bodies, %,d allocations a request%n%n",
                workload, bytes / 1024.0, allocations));
        md.append(workload.equals("json")
                ? "A JSON array of orders parsed into a tree of off-heap nodes (one allocation per node, string and "
                        + "child vector, as a DOM parser makes), then totalled per customer in an off-heap hash table.\n\n"
                : "CSV rows parsed into three off-heap columns and summarised: a few large allocations a request.\n\n");
        md.append(String.format(Locale.ROOT, "| Allocator | Sustained requests/s | Range over rounds | p50 ms | p99 ms "
                + "| p99.9 ms | Server RSS MiB | Server CPU µs a request |%n|---|---:|---|---:|---:|---:|---:|---:|%n"));
        for (String allocator : ALLOCATORS) {
            Sustained s = sustained(steps, workload, allocator);
            if (s.best().isEmpty()) {
                md.append("| ").append(allocator).append(" | none passed | | | | | | |\n");
                continue;
            }
            md.append(String.format(Locale.ROOT, "| %s | %s%.0f | %.0f-%.0f (%d of %d rounds) | %.2f | %.2f | %.2f | %.1f | %.0f |%n",
                    allocator, s.capped() ? "at least " : "", s.median(Step::achieved), s.min(), s.max(), s.best().size(), rounds,
                    s.median(t -> t.load().p50()), s.median(t -> t.load().p99()), s.median(t -> t.load().p999()),
                    s.median(t -> t.load().rssMib()), s.median(t -> t.load().cpuMicros())));
        }
        cpuAtCommonRate(md, workload, steps);
        md.append(String.format(Locale.ROOT, "%nLatencies are those of each round's highest passing step (p99 at most "
                + "%.0f ms by construction); they show how close to the SLO each allocator ran at its limit. "
                + "*At least*: the allocator passed the ladder's highest step in some round, so it may sustain more.%n", slo));
    }

    /**
     * The server's CPU time per request at the same offered rate for every allocator: in each round, the highest
     * rate of the ladder that all of them passed ({@code rates}, one per round that has one), and each
     * allocator's CPU microseconds a request there. The sustained rate is a threshold, one rung of the ladder
     * wide; this is the cost of a request, like for like.
     */
    record CommonRate(List<Double> rates, Map<String, List<Double>> cpuMicros) {
    }

    static CommonRate cpuAtCommonRate(List<Step> steps, String workload, List<String> allocators) {
        Map<String, List<Double>> cpu = new TreeMap<>(Comparator.comparingInt(allocators::indexOf));
        List<Double> rates = new ArrayList<>();
        for (int round : steps.stream().filter(s -> s.workload().equals(workload)).mapToInt(Step::round).distinct().sorted().toArray()) {
            List<Step> passed = steps.stream().filter(s -> s.workload().equals(workload) && s.round() == round && s.pass()).toList();
            double common = passed.stream().mapToDouble(Step::offered)
                    .filter(rate -> allocators.stream().allMatch(a -> passed.stream()
                            .anyMatch(s -> s.allocator().equals(a) && s.offered() == rate)))
                    .max().orElse(Double.NaN);
            if (Double.isNaN(common)) {
                continue;
            }
            rates.add(common);
            passed.stream().filter(s -> s.offered() == common && allocators.contains(s.allocator())
                            && !Double.isNaN(s.load().cpuMicros()))
                    .forEach(s -> cpu.computeIfAbsent(s.allocator(), a -> new ArrayList<>()).add(s.load().cpuMicros()));
        }
        return new CommonRate(List.copyOf(rates), cpu);
    }

    private static void cpuAtCommonRate(StringBuilder md, String workload, List<Step> steps) {
        CommonRate common = cpuAtCommonRate(steps, workload, ALLOCATORS);
        if (common.cpuMicros().isEmpty()) {
            md.append(String.format(Locale.ROOT, "%nNo offered rate was passed by every allocator in a round with the "
                    + "server's CPU time recorded, so this report has no like-for-like CPU time a request.%n"));
            return;
        }
        md.append(String.format(Locale.ROOT, "%nThe server's CPU time a request (all its threads, user and system, from "
                + "the step's start to its end, over the requests it completed) at the same load for every allocator: in "
                + "each round the highest offered rate all of them passed (%s requests/s), so the slowest allocator sets "
                + "it, and the JVM's own background work weighs more per request the lower it is. Clock ticks are 10 ms: "
                + "a step of N requests reads to 10,000/N µs. Medians [range over rounds]:%n%n"
                + "| Allocator | Server CPU µs a request |%n|---|---:|%n",
                common.rates().stream().map(r -> String.format(Locale.ROOT, "%.0f", r)).collect(Collectors.joining(", "))));
        common.cpuMicros().forEach((allocator, values) -> {
            double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            md.append(String.format(Locale.ROOT, "| %s | %.0f [%.0f, %.0f] |%n", allocator, median(v), v[0], v[v.length - 1]));
        });
    }

    /** {@return the median of sorted values; NaN when there are none} */
    static double median(double[] sorted) {
        int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static void steps(StringBuilder md, String workload, List<Step> steps) {
        md.append("\n<details><summary>Every step of workload ").append(workload).append("</summary>\n\n")
                .append("| Round | Allocator | Offered/s | Achieved/s | p50 ms | p99 ms | p99.9 ms | max ms | Errors | Unsent | CPU µs/request | Passed |\n")
                .append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        steps.stream().filter(s -> s.workload().equals(workload))
                .sorted(Comparator.comparingInt(Step::round).thenComparing(s -> ALLOCATORS.indexOf(s.allocator()))
                        .thenComparingDouble(Step::offered))
                .forEach(s -> md.append(String.format(Locale.ROOT, "| %d | %s | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f | %d | %d | %.0f | %s |%n",
                        s.round(), s.allocator(), s.offered(), s.achieved(), s.load().p50(), s.load().p99(),
                        s.load().p999(), s.load().max(), s.load().errors(), s.load().unsent(), s.load().cpuMicros(),
                        s.pass() ? "yes" : "**no**")));
        md.append("\n</details>\n");
    }
}
