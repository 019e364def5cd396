package dev.pagewise.examples.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes the load test report, one section and chart per workload, from the CSVs that {@code scripts/load-server} records. */
public final class ServerReport {

    record Row(String allocator, int connections, double rps, double p50, double p99, double rss, String errors) {
    }

    /** The median of the rounds of one allocator at one level, with the spread of its throughput. */
    static Row median(List<Row> rounds) {
        java.util.function.ToDoubleFunction<java.util.function.ToDoubleFunction<Row>> med = f -> {
            double[] v = rounds.stream().mapToDouble(f).sorted().toArray();
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        };
        Row first = rounds.getFirst();
        double min = rounds.stream().mapToDouble(Row::rps).min().orElse(0);
        double max = rounds.stream().mapToDouble(Row::rps).max().orElse(0);
        String errors = rounds.stream().map(Row::errors).filter(e -> !e.equals("none")).findFirst().orElse("none");
        return new Row(first.allocator(), first.connections(), med.applyAsDouble(Row::rps), med.applyAsDouble(Row::p50),
                med.applyAsDouble(Row::p99), med.applyAsDouble(Row::rss),
                String.format(Locale.ROOT, "%d rounds, %.0f-%.0f/s; %s", rounds.size(), min, max, errors));
    }

    private ServerReport() {
    }

    /** {@code ServerReport results.csv workloads.csv out-dir name command}: writes {@code name.md} and {@code name-*.svg}. */
    public static void main(String[] args) throws IOException {
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        Map<String, List<Row>> groups = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split(",", 9);
            Row row = new Row(c[2], Integer.parseInt(c[3]), Double.parseDouble(c[4]), Double.parseDouble(c[5]),
                    Double.parseDouble(c[6]), Double.parseDouble(c[7]), c[8]);
            groups.computeIfAbsent(c[1] + "/" + row.allocator() + "/" + row.connections(), _ -> new ArrayList<>()).add(row);
        }
        Path out = Path.of(args[2]);
        String name = args[3];
        StringBuilder md = new StringBuilder("# Arena per request: a real server under load\n\n");
        md.append("Written by `").append(args[4]).append("` on ").append(LocalDate.now()).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" CPUs, 127.0.0.1. `OrderServer` "
                        + "(examples) reads each request's body into off-heap memory, does its work there and "
                        + "answers JSON built off-heap; only the source of that memory changes: a Pagewise `ArenaPool` "
                        + "lease (64 slots of 4 MiB, keepResident), the same with background scrubbing, a fresh "
                        + "`Arena.ofConfined()`, or Netty's pooled direct buffers (one per allocation). JDK HttpServer "
                        + "on virtual threads, 512 MiB heap; the server pinned to one CPU and wrk to the other; each "
                        + "server warmed up before it is measured. Each figure is the median of the rounds; the last "
                        + "column gives the throughput spread. See [../arena-pool.md](../arena-pool.md) for what the "
                        + "figures mean.\n");
        List<String> workloads = Files.readAllLines(Path.of(args[1]));
        for (String workload : workloads.subList(1, workloads.size())) {
            String[] w = workload.split(",");
            List<Row> rows = new ArrayList<>();
            for (String allocator : List.of("pagewise", "pagewise-scrub", "jdk", "netty")) {
                groups.forEach((key, group) -> {
                    if (key.startsWith(w[0] + "/" + allocator + "/")) {
                        rows.add(median(group));
                    }
                });
            }
            section(md, w[0], Long.parseLong(w[1]), Long.parseLong(w[2]), rows);
            md.append("\n![").append(w[0]).append(" throughput](").append(name).append('-').append(w[0]).append(".svg)\n");
            Files.writeString(out.resolve(name + "-" + w[0] + ".svg"), chart(w[0], rows));
        }
        Files.writeString(out.resolve(name + ".md"), md.toString());
        System.out.println("wrote " + out.resolve(name + ".md"));
    }

    private static void section(StringBuilder md, String workload, long bytes, long allocations, List<Row> rows) {
        md.append(String.format(Locale.ROOT, "%n## Workload %s: %.1f KiB bodies, %,d allocations a request%n%n", workload, bytes / 1024.0, allocations));
        md.append(workload.equals("json")
                ? "A JSON array of orders parsed into a tree of off-heap nodes (one allocation per node, string and "
                        + "child vector, as a DOM parser makes), then totalled per customer in an off-heap hash table.\n\n"
                : "CSV rows parsed into three off-heap columns and summarised: a few large allocations a request.\n\n");
        md.append("| Allocator | Connections | Requests/s | p50 ms | p99 ms | RSS MiB | Rounds, spread, errors |\n|---|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.2f | %.2f | %.1f | %s |%n", r.allocator(),
                    r.connections(), r.rps(), r.p50(), r.p99(), r.rss(), r.errors()));
        }
        md.append("\nAgainst the targets:\n\n| Connections | Pagewise / JDK throughput (>= 1.3x) | p99 Pagewise vs JDK (no worse) | p99 with scrubbing vs without (lower) |\n|---:|---|---|---|\n");
        for (Row jdk : rows.stream().filter(r -> r.allocator().equals("jdk")).toList()) {
            Row pw = find(rows, "pagewise", jdk.connections());
            Row scrub = find(rows, "pagewise-scrub", jdk.connections());
            if (pw == null || scrub == null) {
                continue;
            }
            double ratio = pw.rps() / jdk.rps();
            md.append(String.format(Locale.ROOT, "| %d | %.2fx %s | %.2f vs %.2f ms %s | %.2f vs %.2f ms %s |%n",
                    jdk.connections(), ratio, ratio >= 1.3 ? "met" : "**not met**",
                    pw.p99(), jdk.p99(), pw.p99() <= jdk.p99() ? "met" : "**not met**",
                    scrub.p99(), pw.p99(), scrub.p99() < pw.p99() ? "met" : "**not met**"));
        }
    }

    private static Row find(List<Row> rows, String allocator, int connections) {
        return rows.stream().filter(r -> r.allocator().equals(allocator) && r.connections() == connections)
                .findFirst().orElse(null);
    }

    private static String chart(String workload, List<Row> rows) {
        double max = rows.stream().mapToDouble(Row::rps).max().orElse(1);
        StringBuilder svg = new StringBuilder();
        int height = 40 + rows.size() * 24;
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", height));
        svg.append("<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">OrderServer, workload " + workload + ": requests/s (higher is better)</text>\n");
        int y = 32;
        for (Row r : rows) {
            double w = r.rps() / max * 420;
            String colour = r.allocator().startsWith("pagewise") ? "#2f6fb0" : "#a0a0a0";
            svg.append(String.format(Locale.ROOT, "<text x=\"200\" y=\"%d\" text-anchor=\"end\">%s, %d conn</text>%n", y + 15,
                    r.allocator(), r.connections()));
            svg.append(String.format(Locale.ROOT, "<rect x=\"208\" y=\"%d\" width=\"%.1f\" height=\"18\" fill=\"%s\"/>%n", y + 2, w, colour));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%.0f/s, p99 %.1f ms</text>%n", 214 + w, y + 15, r.rps(), r.p99()));
            y += 24;
        }
        return svg.append("</svg>\n").toString();
    }
}
