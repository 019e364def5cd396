package dev.pagewise.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Turns a JMH CSV result file into {@code docs/benchmarks/README.md}: tables of every result, the
 * ratios the issues set as targets, and SVG charts. Usage: {@code BenchReport results.csv outDir command}.
 */
public final class BenchReport {

    /** One JMH result row. */
    record Result(String benchmark, String mode, int threads, double score, double error, String unit,
                  Map<String, String> params) {

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
    }

    private final List<Result> results;
    private final StringBuilder md = new StringBuilder();
    private final List<String> verdicts = new ArrayList<>();

    private BenchReport(List<Result> results) {
        this.results = results;
    }

    public static void main(String[] args) throws IOException {
        Path csv = Path.of(args[0]);
        Path out = Path.of(args[1]);
        String command = args.length > 2 ? args[2] : "scripts/bench";
        List<Result> results = parse(Files.readAllLines(csv));
        Files.createDirectories(out);
        BenchReport report = new BenchReport(results);
        String rss = SteadyStateRss.measure();
        report.write(out, command, rss);
        System.out.println("wrote " + out.resolve("README.md") + " (" + results.size() + " results)");
    }

    static List<Result> parse(List<String> lines) {
        List<String> header = split(lines.getFirst());
        List<Result> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            List<String> cells = split(line);
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 7; i < header.size() && i < cells.size(); i++) {
                if (!cells.get(i).isEmpty()) {
                    params.put(header.get(i).replace("Param: ", ""), cells.get(i));
                }
            }
            out.add(new Result(cells.get(0), cells.get(1), Integer.parseInt(cells.get(2)),
                    parseDouble(cells.get(4)), parseDouble(cells.get(5)), cells.get(6), params));
        }
        return out;
    }

    private static double parseDouble(String s) {
        return s.isEmpty() || s.equals("NaN") ? Double.NaN : Double.parseDouble(s);
    }

    private static List<String> split(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (char c : line.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString());
        return cells;
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
                .append(Runtime.getRuntime().availableProcessors()).append(" CPUs, ")
                .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append(", Java ").append(System.getProperty("java.runtime.version")).append(".\n")
                .append("These machines are small and noisy: read the ratios between rows of one run, not the absolute "
                        + "figures, and the error column before any conclusion. Lower is better for `ns/op` and `us/op`, "
                        + "higher for `ops/us`.\n\n");
        md.append("## Targets\n\n");
        int targetsAt = md.length();
        allocationSection(out);
        resetSection(out);
        wrapperSection();
        backingSection();
        poolSection();
        md.append("## Steady-state RSS after a spike\n\n").append(rss).append("\n\n");
        md.append("## All results\n\n| Benchmark | Params | Threads | Score | Error | Unit |\n|---|---|---|---:|---:|---|\n");
        for (Result r : results) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %d | %.3f | %.3f | %s |%n", r.shortName(),
                    r.params().isEmpty() ? "" : r.params().toString(), r.threads(), r.score(), r.error(), r.unit()));
        }
        StringBuilder targets = new StringBuilder("| Target | Measured | Met |\n|---|---|---|\n");
        verdicts.forEach(targets::append);
        md.insert(targetsAt, targets.append('\n'));
        Files.writeString(out.resolve("README.md"), md.toString());
    }

    private void target(String what, String measured, boolean met) {
        verdicts.add("| " + what + " | " + measured + " | " + (met ? "yes" : "**no**") + " |\n");
    }

    private void ratioTarget(String what, Result slow, Result fast, double atLeast) {
        if (slow == null || fast == null) {
            target(what, "not run", false);
            return;
        }
        double ratio = slow.score() / fast.score();
        target(what, String.format(Locale.ROOT, "%.2fx (%.2f vs %.2f %s)", ratio, slow.score(), fast.score(),
                fast.unit()), ratio >= atLeast);
    }

    private void allocationSection(Path out) throws IOException {
        Result bump = find("AllocateBench.bumpArenaChecked");
        if (bump != null) {
            target("BumpArena.allocate(64, 8) checked <= 3 ns", String.format(Locale.ROOT, "%.2f ns", bump.score()),
                    bump.score() <= 3.0);
        }
        ratioTarget("BumpArena checked >= 15x a long-lived Arena.ofConfined() allocate",
                find("AllocateBench.jdkConfinedArenaLongLived"), bump, 15);
        Result slab = find("AllocateBench.slabAllocateFree");
        if (slab != null) {
            target("Slab allocate+free <= 10 ns", String.format(Locale.ROOT, "%.2f ns", slab.score()), slab.score() <= 10);
        }
        for (String size : List.of("64", "512", "4096")) {
            ratioTarget("SizeClassed allocate+free " + size + " B >= 5x Netty pooled",
                    find("SizeClassedBench.nettyPooledAllocateRelease", r -> r.param("size").equals(size)),
                    find("SizeClassedBench.sizeClassedAllocateFree", r -> r.param("size").equals(size)), 5);
            ratioTarget("SizeClassed without zeroing (as Netty) " + size + " B >= 5x Netty pooled",
                    find("SizeClassedBench.nettyPooledAllocateRelease", r -> r.param("size").equals(size)),
                    find("SizeClassedBench.sizeClassedWithoutZeroingAllocateFree", r -> r.param("size").equals(size)), 5);
        }
        for (String chunk : List.of("0", "65536")) {
            Result one = find("SharedBumpBench.oneThread", r -> r.param("chunkSize").equals(chunk));
            Result two = find("SharedBumpBench.twoThreads", r -> r.param("chunkSize").equals(chunk));
            if (one != null && two != null) {
                double ratio = two.score() / one.score();
                target("SharedBumpArena 2 threads >= 1.6x one thread (chunkSize " + chunk + ")",
                        String.format(Locale.ROOT, "%.2fx (%.1f vs %.1f ops/us)", ratio, two.score(), one.score()),
                        ratio >= 1.6);
            }
        }
        List<Result> alloc = results.stream().filter(r -> r.shortName().startsWith("AllocateBench.")).toList();
        if (!alloc.isEmpty()) {
            md.append("## One 64-byte allocation\n\n![allocation](allocate.svg)\n\n");
            Files.writeString(out.resolve("allocate.svg"), Svg.bars("One 64 B allocation (ns/op, lower is better)",
                    alloc.stream().map(r -> new Svg.Bar(r.method(), r.score(), r.error(),
                            !r.method().startsWith("jdk") && !r.method().startsWith("netty")
                                    && !r.method().startsWith("lwjgl"))).toList(), "ns", true));
        }
    }

    private void resetSection(Path out) throws IOException {
        for (String bytes : List.of("65536", "1048576", "16777216")) {
            for (String pattern : List.of("sparse", "dense")) {
                Result keep = resetResult(bytes, pattern, "keepResident");
                if (bytes.equals("1048576") && pattern.equals("sparse")) {
                    ratioTarget("Sparse 1 MiB: keepResident >= 2.5x zeroAll", resetResult(bytes, pattern, "zeroAll"), keep, 2.5);
                    ratioTarget("Sparse 1 MiB: keepResident >= 6x decommitAll", resetResult(bytes, pattern, "decommitAll"), keep, 6);
                    ratioTarget("Sparse 1 MiB: keepResident >= 3x Arena.ofConfined() per request",
                            find("Jdk.cycle", r -> r.param("bytes").equals(bytes) && r.param("pattern").equals(pattern)),
                            keep, 3);
                }
                if (pattern.equals("dense")) {
                    Result zero = resetResult(bytes, pattern, "zeroAll");
                    if (keep != null && zero != null) {
                        double ratio = keep.score() / zero.score();
                        target("Dense " + size(bytes) + ": keepResident within 1.15x of zeroAll",
                                String.format(Locale.ROOT, "%.2fx (%.2f vs %.2f us)", ratio, keep.score(), zero.score()),
                                ratio <= 1.15);
                    }
                }
            }
        }
        cFigure("Dense 64 KiB zeroAll within 1.3x of C memset-reset (3.0 us)", resetResult("65536", "dense", "zeroAll"), 3.0);
        cFigure("Dense 64 KiB keepResident within 1.3x of C scan-reset (3.5 us)", resetResult("65536", "dense", "keepResident"), 3.5);
        cFigure("Dense 1 MiB zeroAll within 1.3x of C memset-reset (49 us)", resetResult("1048576", "dense", "zeroAll"), 49);
        cFigure("Dense 1 MiB keepResident within 1.3x of C scan-reset (48.5 us)", resetResult("1048576", "dense", "keepResident"), 48.5);

        List<Result> cycles = results.stream().filter(r -> r.shortName().equals("ResetBench.cycle")
                || r.shortName().equals("Jdk.cycle")).toList();
        if (cycles.isEmpty()) {
            return;
        }
        md.append("## Request cycle: allocate 64 buffers, write, reset (us/op)\n\n| Bytes | Pattern | ");
        List<String> policies = List.of("keepResident", "trackWrites", "zeroAll", "decommitAll", "Arena.ofConfined");
        policies.forEach(p -> md.append(p).append(" | "));
        md.append("\n|---|---|").append("---:|".repeat(policies.size())).append('\n');
        for (String bytes : List.of("65536", "1048576", "16777216")) {
            for (String pattern : List.of("sparse", "dense")) {
                md.append("| ").append(size(bytes)).append(" | ").append(pattern).append(" | ");
                for (String p : policies) {
                    Result r = p.equals("Arena.ofConfined")
                            ? find("Jdk.cycle", x -> x.param("bytes").equals(bytes) && x.param("pattern").equals(pattern))
                            : resetResult(bytes, pattern, p);
                    md.append(r == null ? "-" : String.format(Locale.ROOT, "%.2f ± %.2f", r.score(), r.error())).append(" | ");
                }
                md.append('\n');
                List<Svg.Bar> bars = new ArrayList<>();
                for (String p : policies) {
                    Result r = p.equals("Arena.ofConfined")
                            ? find("Jdk.cycle", x -> x.param("bytes").equals(bytes) && x.param("pattern").equals(pattern))
                            : resetResult(bytes, pattern, p);
                    if (r != null) {
                        bars.add(new Svg.Bar(p, r.score(), r.error(), !p.equals("Arena.ofConfined")));
                    }
                }
                if (bytes.equals("1048576")) {
                    Files.writeString(out.resolve("reset-" + pattern + "-1MiB.svg"),
                            Svg.bars("Request cycle, " + pattern + " 1 MiB (us/op, lower is better)", bars, "us"));
                }
            }
        }
        md.append("\n![sparse](reset-sparse-1MiB.svg)\n\n![dense](reset-dense-1MiB.svg)\n\n");
    }

    private void cFigure(String what, Result r, double cMicros) {
        if (r == null) {
            target(what, "not run", false);
            return;
        }
        double ratio = r.score() / cMicros;
        target(what, String.format(Locale.ROOT, "%.2fx (%.2f us)", ratio, r.score()), ratio <= 1.3);
    }

    private Result resetResult(String bytes, String pattern, String policy) {
        return find("ResetBench.cycle", r -> r.param("bytes").equals(bytes) && r.param("pattern").equals(pattern)
                && r.param("policy").equals(policy));
    }

    private static String size(String bytes) {
        long b = Long.parseLong(bytes);
        return b >= 1 << 20 ? (b >> 20) + " MiB" : (b >> 10) + " KiB";
    }

    private void wrapperSection() {
        Result bumpRaw = find("WrapperBench.bumpRaw");
        Result slabRaw = find("WrapperBench.slabRaw");
        if (bumpRaw == null || slabRaw == null) {
            return;
        }
        for (String variant : List.of("bumpStatistics", "bumpStatisticsConfined")) {
            Result stats = find("WrapperBench." + variant);
            if (stats != null) {
                double overhead = stats.score() - bumpRaw.score();
                target("Statistics overhead on BumpArena.allocate <= 3 ns (" + variant + ")", String.format(Locale.ROOT,
                        "%.2f ns (%.2f vs %.2f ns)", overhead, stats.score(), bumpRaw.score()), overhead <= 3);
            }
        }
        md.append("## Wrappers (ns/op; overhead against the bare allocator in the same run)\n\n")
                .append("| Benchmark | Score | Overhead |\n|---|---:|---:|\n");
        results.stream().filter(r -> r.shortName().startsWith("WrapperBench.")).forEach(r -> {
            Result base = r.method().startsWith("bump") ? bumpRaw : slabRaw;
            md.append(String.format(Locale.ROOT, "| %s | %.2f ± %.2f | %+.2f |%n", r.method(), r.score(), r.error(),
                    r.score() - base.score()));
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
                Result r = find("BackingBench." + m, x -> x.param("size").equals(size));
                md.append(" | ").append(r == null ? "-" : String.format(Locale.ROOT, "%.0f ± %.0f", r.score(), r.error()));
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
                    "| %s | %s | %.1f ± %.1f | %.1f |%n", size(bytes), r.method(), r.score(), r.error(),
                    r.score() - work.score())));
        }
        md.append('\n');
    }
}
