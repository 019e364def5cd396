package dev.pagewise.bench.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Writes {@code server.md} and {@code server.svg} from the CSV that {@code scripts/load-server} records. */
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

    public static void main(String[] args) throws IOException {
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        java.util.Map<String, List<Row>> groups = new java.util.LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split(",", 8);
            Row row = new Row(c[1], Integer.parseInt(c[2]), Double.parseDouble(c[3]), Double.parseDouble(c[4]),
                    Double.parseDouble(c[5]), Double.parseDouble(c[6]), c[7]);
            groups.computeIfAbsent(row.allocator() + "/" + row.connections(), _ -> new ArrayList<>()).add(row);
        }
        List<Row> rows = new ArrayList<>();
        for (String allocator : List.of("pagewise", "pagewise-scrub", "jdk", "netty")) {
            groups.forEach((key, group) -> {
                if (group.getFirst().allocator().equals(allocator)) {
                    rows.add(median(group));
                }
            });
        }
        Path out = Path.of(args[1]);
        String rowsPerRequest = args.length > 3 ? args[3] : "2000";
        String name = rowsPerRequest.equals("2000") ? "server" : "server-" + rowsPerRequest + "-rows";
        StringBuilder md = new StringBuilder("# Arena per request: a real server under load\n\n");
        md.append("Written by `").append(args.length > 2 ? args[2] : "scripts/load-server").append("` on ")
                .append(LocalDate.now()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" CPUs; wrk and the server share them, on 127.0.0.1. `OrderServer` (allocator-bench) "
                        + "reads each request's CSV body (" + rowsPerRequest + " rows, about "
                        + Long.parseLong(rowsPerRequest) * 13 / 1024 + " KiB) into off-heap memory, parses it into "
                        + "off-heap columns and answers a JSON summary built off-heap; only the source of that memory "
                        + "changes: a Pagewise `ArenaPool` lease (64 slots, keepResident), the same with background "
                        + "scrubbing, a fresh `Arena.ofConfined()`, or Netty's pooled direct buffers. JDK HttpServer "
                        + "on virtual threads, 512 MiB heap; the server on one CPU and wrk on the other. Each figure "
                        + "is the median of the rounds; the Errors column gives the throughput spread.\n\n");
        md.append("| Allocator | Connections | Requests/s | p50 ms | p99 ms | RSS MiB | Rounds, spread, errors |\n|---|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.2f | %.2f | %.1f | %s |%n", r.allocator(),
                    r.connections(), r.rps(), r.p50(), r.p99(), r.rss(), r.errors()));
        }
        md.append("\n## Against the targets\n\n| Connections | Pagewise / JDK throughput (>= 1.3x) | p99 Pagewise vs JDK (no worse) | p99 with scrubbing vs without (lower) |\n|---:|---|---|---|\n");
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
        md.append("\n![throughput](" + name + ".svg)\n");
        Files.writeString(out.resolve(name + ".md"), md.toString());
        Files.writeString(out.resolve(name + ".svg"), chart(rows));
        System.out.println("wrote " + out.resolve(name + ".md"));
    }

    private static Row find(List<Row> rows, String allocator, int connections) {
        return rows.stream().filter(r -> r.allocator().equals(allocator) && r.connections() == connections)
                .findFirst().orElse(null);
    }

    private static String chart(List<Row> rows) {
        double max = rows.stream().mapToDouble(Row::rps).max().orElse(1);
        StringBuilder svg = new StringBuilder();
        int height = 40 + rows.size() * 24;
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", height));
        svg.append("<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">OrderServer throughput (requests/s, higher is better)</text>\n");
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
