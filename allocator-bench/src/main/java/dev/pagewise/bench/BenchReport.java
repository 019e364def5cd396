package dev.pagewise.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Turns JMH's JSON results into {@code docs/benchmarks/README.md}: the {@linkplain Targets targets} with their
 * verdicts, tables of every result with its confidence interval, and SVG charts; the raw JSON goes beside it
 * as {@code results.json}. Usage: {@code BenchReport results.json outDir command}.
 */
public final class BenchReport {

    private final List<Result> results;
    private final StringBuilder md = new StringBuilder();

    private BenchReport(List<Result> results) {
        this.results = results;
    }

    /**
     * Writes the report. Arguments: the directory to write to, the command that produced the results (as the
     * report names it), then one or more JSON result files of JMH ({@code -rf json}), merged into one.
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            throw new IllegalArgumentException("usage: BenchReport outDir command results.json [more.json ...]");
        }
        Path out = Path.of(args[0]);
        String command = args[1];
        List<String> runs = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            String text = Files.readString(Path.of(args[i])).strip();
            if (!text.startsWith("[") || !text.endsWith("]")) {
                throw new IllegalArgumentException(args[i] + " is not a JSON array of JMH results");
            }
            String inner = text.substring(1, text.length() - 1).strip();
            if (!inner.isEmpty()) {
                runs.add(inner);
            }
        }
        String raw = "[\n" + String.join(",\n", runs) + "\n]\n";
        List<Result> results = Result.fromJmhJson(raw);
        Files.createDirectories(out);
        Files.writeString(out.resolve("results.json"), raw);
        BenchReport report = new BenchReport(results);
        String rss = SteadyStateRss.measure();
        report.write(out, command, rss);
        System.out.println("wrote " + out.resolve("README.md") + " (" + results.size() + " results)");
    }

    /** {@return a score with its error, as tables print it} */
    static String score(Result r) {
        return score(r.score(), r.error());
    }

    /** {@return {@code value ± error} with as many decimals as the value's size calls for; no error when it is NaN} */
    static String score(double value, double error) {
        int digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
        String format = "%." + digits + "f";
        return String.format(Locale.ROOT, format, value)
                + (Double.isNaN(error) ? "" : String.format(Locale.ROOT, " ± " + format, error));
    }

    private Result find(String shortName, Predicate<Result> filter) {
        return results.stream().filter(r -> r.shortName().equals(shortName)).filter(filter).findFirst().orElse(null);
    }

    private Result find(String shortName) {
        return find(shortName, r -> true);
    }

    private void write(Path out, String command, String rss) throws IOException {
        md.append("# Benchmarks\n\n");
        md.append("Written by `").append(command).append("` on ").append(LocalDate.now()).append(": ")
                .append(Machine.cpus()).append(", ")
                .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append(", Java ").append(System.getProperty("java.runtime.version")).append(". JMH's raw results: ")
                .append("[`results.json`](results.json).\n\n")
                .append("These machines are small and noisy: read the ratios between rows of one run, not the absolute "
                        + "figures; the ratios themselves move with the CPU model (a run on another kind of machine can "
                        + "meet or miss other targets). Every score is shown with its 99.9% confidence interval (± half its width). Lower is "
                        + "better for `ns/op` and `us/op`, higher for `ops/us`.\n\n");
        targetSection();
        allocationSection(out);
        freeListSection();
        resetSection(out);
        wrapperSection();
        backingSection();
        poolSection();
        md.append("## Steady-state RSS after a spike\n\n").append(rss).append("\n\n");
        md.append("## All results\n\n| Benchmark | Params | Forks x iterations | Score | Unit |\n|---|---|---|---:|---|\n");
        for (Result r : results) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %d x %d | %s | %s |%n", r.shortName(),
                    r.params().isEmpty() ? "" : r.params().toString(), r.forks(), r.iterations(), score(r), r.unit()));
        }
        Files.writeString(out.resolve("README.md"), md.toString());
    }

    private void targetSection() {
        List<Target.Evaluation> evaluations = Targets.all().stream().map(t -> t.evaluate(results)).toList();
        Map<Verdict, Long> counts = new java.util.EnumMap<>(Verdict.class);
        evaluations.forEach(e -> counts.merge(e.verdict(), 1L, Long::sum));
        md.append("## Targets\n\n")
                .append("A target is *met* when its whole confidence interval meets it, *missed* when the whole interval "
                        + "misses it, *inconclusive* otherwise; a target whose benchmark did not run is *not measured*. "
                        + "The interval of a ratio is taken from the ends of both intervals. Targets run with at least "
                        + "2 forks and 5 iterations in the default run.\n\n");
        for (Verdict v : Verdict.values()) {
            md.append(v.label()).append(": ").append(counts.getOrDefault(v, 0L))
                    .append(v.ordinal() < Verdict.values().length - 1 ? " · " : "\n\n");
        }
        md.append("| Target | Measured [interval] | Verdict |\n|---|---|---|\n");
        for (Target.Evaluation e : evaluations) {
            md.append("| ").append(e.target().name()).append(" | ").append(e.measured()).append(" | ")
                    .append(e.verdict().label()).append(" |\n");
        }
        md.append('\n');
    }

    private void allocationSection(Path out) throws IOException {
        List<Result> alloc = results.stream().filter(r -> r.shortName().startsWith("AllocateBench.")).toList();
        if (alloc.isEmpty()) {
            return;
        }
        List<String> sizes = alloc.stream().map(r -> r.param("size")).distinct().toList();
        md.append("## One allocation (ns/op)\n\n| Benchmark |");
        sizes.forEach(size -> md.append(' ').append(Targets.size(size)).append(" |"));
        md.append("\n|---|").append("---:|".repeat(sizes.size())).append('\n');
        alloc.stream().map(Result::method).distinct().forEach(m -> {
            md.append("| ").append(m).append(" |");
            for (String size : sizes) {
                Result r = find("AllocateBench." + m, x -> x.param("size").equals(size));
                md.append(' ').append(r == null ? "-" : score(r)).append(" |");
            }
            md.append('\n');
        });
        md.append('\n');
        for (String size : sizes) {
            String file = "allocate-" + size + ".svg";
            md.append("![").append(Targets.size(size)).append(" allocation](").append(file).append(")\n\n");
            Files.writeString(out.resolve(file), Svg.dots("One " + Targets.size(size) + " allocation (lower is better)",
                    alloc.stream().filter(r -> r.param("size").equals(size))
                            .map(r -> Svg.Dot.of(r.method(), r, !isAnchor(r.method()))).toList(), "ns/op", true));
        }
    }

    private static boolean isAnchor(String method) {
        return method.startsWith("jdk") || method.startsWith("netty") || method.startsWith("lwjgl")
                || method.endsWith("Floor");
    }

    private void freeListSection() {
        List<Result> rows = results.stream().filter(r -> r.shortName().startsWith("SizeClassedBench.")).toList();
        if (rows.isEmpty()) {
            return;
        }
        md.append("## Free lists: allocate + free (ns/op)\n\n"
                + "Like for like, `SizeClassed` without zeroing against Netty's two allocators (neither zeroes); the "
                + "zeroing column is what `SizeClassed`'s zero-on-free adds in the same run.\n\n"
                + "| Size | SizeClassed without zeroing | Netty adaptive | Netty pooled | SizeClassed (zeroing) | Zeroing |\n"
                + "|---|---:|---:|---:|---:|---:|\n");
        for (String size : rows.stream().map(r -> r.param("size")).distinct().toList()) {
            Result raw = find("SizeClassedBench.sizeClassedWithoutZeroingAllocateFree", r -> r.param("size").equals(size));
            Result zeroing = find("SizeClassedBench.sizeClassedAllocateFree", r -> r.param("size").equals(size));
            md.append("| ").append(Targets.size(size)).append(" | ").append(cell(raw)).append(" | ")
                    .append(cell(find("SizeClassedBench.nettyAdaptiveAllocateRelease", r -> r.param("size").equals(size))))
                    .append(" | ")
                    .append(cell(find("SizeClassedBench.nettyPooledAllocateRelease", r -> r.param("size").equals(size))))
                    .append(" | ").append(cell(zeroing)).append(" | ")
                    .append(raw == null || zeroing == null ? "-"
                            : String.format(Locale.ROOT, "%+.2f", zeroing.score() - raw.score()))
                    .append(" |\n");
        }
        md.append('\n');
    }

    private static String cell(Result r) {
        return r == null ? "-" : score(r);
    }

    private Result resetResult(String bytes, String pattern, String policy) {
        return find("ResetBench.cycle", r -> r.param("bytes").equals(bytes) && r.param("pattern").equals(pattern)
                && r.param("policy").equals(policy));
    }

    private static final List<String> RESET_COLUMNS = List.of("keepResident", "trackWrites", "zeroAll", "decommitAll",
            "Arena.ofConfined", "scanFloor", "memsetFloor", "decommitFloor");

    private Result resetColumn(String column, String bytes, String pattern) {
        Predicate<Result> at = x -> x.param("bytes").equals(bytes) && x.param("pattern").equals(pattern);
        return switch (column) {
            case "Arena.ofConfined" -> find("Jdk.cycle", at);
            case "scanFloor", "memsetFloor", "decommitFloor" -> find("Floors." + column, at);
            default -> resetResult(bytes, pattern, column);
        };
    }

    private void resetSection(Path out) throws IOException {
        if (results.stream().noneMatch(r -> r.shortName().equals("ResetBench.cycle"))) {
            return;
        }
        md.append("## Request cycle: allocate 64 buffers, write, reset (us/op)\n\n"
                + "The floors do the same writes, then only the bare mechanism: a pagemap scan and a fill of what it "
                + "reports (`keepResident`'s floor), a fill of the used bytes (`zeroAll`'s), an `madvise` "
                + "(`decommitAll`'s).\n\n| Bytes | Pattern | ");
        RESET_COLUMNS.forEach(p -> md.append(p).append(" | "));
        md.append("\n|---|---|").append("---:|".repeat(RESET_COLUMNS.size())).append('\n');
        for (String bytes : List.of("65536", "1048576", "16777216")) {
            for (String pattern : List.of("sparse", "dense")) {
                md.append("| ").append(Targets.size(bytes)).append(" | ").append(pattern).append(" | ");
                List<Svg.Dot> dots = new ArrayList<>();
                for (String column : RESET_COLUMNS) {
                    Result r = resetColumn(column, bytes, pattern);
                    md.append(cell(r)).append(" | ");
                    if (r != null) {
                        dots.add(Svg.Dot.of(column, r, !column.equals("Arena.ofConfined") && !column.endsWith("Floor")));
                    }
                }
                md.append('\n');
                if (bytes.equals("1048576") && !dots.isEmpty()) {
                    Files.writeString(out.resolve("reset-" + pattern + "-1MiB.svg"),
                            Svg.dots("Request cycle, " + pattern + " 1 MiB (lower is better)", dots, "us/op", false));
                }
            }
        }
        md.append("\n![sparse](reset-sparse-1MiB.svg)\n\n![dense](reset-dense-1MiB.svg)\n\n");
    }

    private void wrapperSection() {
        Result bumpRaw = find("WrapperBench.bumpRaw");
        Result slabRaw = find("WrapperBench.slabRaw");
        if (bumpRaw == null || slabRaw == null) {
            return;
        }
        md.append("## Wrappers (ns/op; overhead against the bare allocator in the same run)\n\n")
                .append("| Benchmark | Score | Overhead |\n|---|---:|---:|\n");
        results.stream().filter(r -> r.shortName().startsWith("WrapperBench.")).forEach(r -> {
            Result base = r.method().startsWith("bump") ? bumpRaw : slabRaw;
            md.append(String.format(Locale.ROOT, "| %s | %s | %+.2f |%n", r.method(), score(r), r.score() - base.score()));
        });
        md.append('\n');
    }

    private void backingSection() {
        List<Result> backing = results.stream().filter(r -> r.shortName().startsWith("BackingBench.")).toList();
        if (backing.isEmpty()) {
            return;
        }
        md.append("## Backing operations (ns/op)\n\n| Operation | 64 KiB | 1 MiB |\n|---|---:|---:|\n");
        backing.stream().map(Result::method).distinct().forEach(m -> {
            md.append("| ").append(m);
            for (String size : List.of("65536", "1048576")) {
                md.append(" | ").append(cell(find("BackingBench." + m, x -> x.param("size").equals(size))));
            }
            md.append(" |\n");
        });
        md.append('\n');
    }

    private void poolSection() {
        for (String bytes : List.of("65536", "1048576")) {
            Result work = find("ArenaPoolBench.workOnly", r -> r.param("bytes").equals(bytes));
            if (work == null) {
                return;
            }
            if (bytes.equals("65536")) {
                md.append("## ArenaPool request path (us/op; memory cost = score minus the request's other work)\n\n")
                        .append("| Request writes | Benchmark | Score | Memory cost |\n|---|---|---:|---:|\n");
            }
            results.stream().filter(r -> r.shortName().startsWith("ArenaPoolBench.") && r.param("bytes").equals(bytes)
                    && !r.method().equals("workOnly")).forEach(r -> md.append(String.format(Locale.ROOT,
                    "| %s | %s | %s | %.1f |%n", Targets.size(bytes), r.method(), score(r), r.score() - work.score())));
        }
        md.append('\n');
    }
}
