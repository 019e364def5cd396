package dev.pagewise.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * A constant-rate HTTP/1.1 load generator whose latencies are corrected for coordinated omission, the way
 * wrk2 corrects them: request {@code k} of a step is due at {@code start + k / rate}, whether or not the
 * server has answered the ones before it, and its latency runs from when it was due, not from when it was
 * sent. A server that stalls is charged for every request that waited behind the stall; a closed-loop tool
 * (wrk, {@code ab}) would send nothing meanwhile and report a single slow request.
 *
 * <p>Requests are spread over a fixed set of keep-alive connections, request {@code k} on connection
 * {@code k mod connections}; a connection sends its next request when it is due or, if the answer to the one
 * before came later, at once. One thread per connection, blocking sockets: at the rates an allocator under test
 * reaches on a single core, that costs the client less CPU than the server it measures.
 *
 * <p>{@code RateLoad --url http://127.0.0.1:8080/orders --body file --type application/json [--connections 64]
 * [--warmup 10] [--warmup-rate R] [--duration 4] [--rates 400,500,...] [--slo-ms 20] [--bisect 2]
 * [--pid server-pid]} warms the server up (at the first rate unless told), then runs one step per rate in rising order until two steps in a row fail (p99
 * above the SLO, less than 95% of the offered rate achieved, or any error), and bisects between the highest
 * step that passed and the failed step above it. It prints one CSV line per step:
 * {@value #HEADER}; {@code RateLoad --header} prints that header alone. With {@code --pid} each step also reads
 * the server's resident set after the step and its CPU time per request during it (else NaN).
 */
public final class RateLoad {

    static final String HEADER = "offered,achieved,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,completed,errors,unsent,rss_mib,cpu_us,pass";

    /** The header before steps recorded the server's CPU time: such lines read back with {@code cpuMicros} NaN. */
    static final String HEADER_WITHOUT_CPU = HEADER.replace(",cpu_us", "");

    private static final int COLUMNS = HEADER.split(",").length;

    /** The share of the offered rate a step must achieve to pass. */
    static final double ACHIEVED_SHARE = 0.95;

    /**
     * One step's outcome; latencies in milliseconds, corrected for coordinated omission. {@code cpuMicros} is the
     * server's CPU time (every thread, user and system) while the step ran, per completed request: what a request
     * costs the server at that load, which the sustained rate, a threshold, shows only coarsely.
     */
    record Step(double offered, double achieved, double p50, double p90, double p99, double p999, double max,
                long completed, long errors, long unsent, double rssMib, double cpuMicros) {

        /**
         * Rounds the measures to the digits {@link #csv} writes (rates to 0.1, latencies to a microsecond), so
         * that a step read back is judged as the run judged it: a rate of 949.96 against 950 must not pass once
         * written as 950.0.
         */
        Step {
            offered = Math.round(offered);
            achieved = round(achieved, 10);
            p50 = round(p50, 1000);
            p90 = round(p90, 1000);
            p99 = round(p99, 1000);
            p999 = round(p999, 1000);
            max = round(max, 1000);
            rssMib = round(rssMib, 10);
            cpuMicros = round(cpuMicros, 10);
        }

        /** Rounds to {@code 1 / scale}; NaN (not measured) stays NaN, where {@link Math#round} would make it 0. */
        private static double round(double value, double scale) {
            return Double.isNaN(value) ? value : Math.round(value * scale) / scale;
        }

        boolean passes(double sloMillis) {
            return errors == 0 && unsent == 0 && achieved >= ACHIEVED_SHARE * offered && p99 <= sloMillis;
        }

        /** {@return this step as a line under {@link #HEADER}; its last column is {@link #passes} at {@code sloMillis}} */
        String csv(double sloMillis) {
            return String.format(Locale.ROOT, "%.0f,%.1f,%.3f,%.3f,%.3f,%.3f,%.3f,%d,%d,%d,%.1f,%.1f,%s", offered, achieved,
                    p50, p90, p99, p999, max, completed, errors, unsent, rssMib, cpuMicros, passes(sloMillis));
        }

        /**
         * Reads back a line {@link #csv} wrote. The recorded pass column is not read: it held for the SLO of the
         * run that wrote it, and a reader judges with {@link #passes} at its own.
         *
         * A line under {@link #HEADER_WITHOUT_CPU}, from a run before steps recorded it, reads with CPU time NaN.
         *
         * @throws IllegalArgumentException if the line does not have the columns of {@link #HEADER} or
         *         {@link #HEADER_WITHOUT_CPU}
         */
        static Step parse(String line) {
            String[] c = line.split(",", -1);
            if (c.length == COLUMNS - 1) {
                String[] withCpu = Arrays.copyOf(c, COLUMNS);
                withCpu[COLUMNS - 2] = "NaN";
                withCpu[COLUMNS - 1] = c[COLUMNS - 2];
                c = withCpu;
            }
            if (c.length != COLUMNS) {
                throw new IllegalArgumentException("a step has the " + COLUMNS + " columns " + HEADER + ", not: " + line);
            }
            try {
                return new Step(Double.parseDouble(c[0]), Double.parseDouble(c[1]), Double.parseDouble(c[2]),
                        Double.parseDouble(c[3]), Double.parseDouble(c[4]), Double.parseDouble(c[5]),
                        Double.parseDouble(c[6]), Long.parseLong(c[7]), Long.parseLong(c[8]), Long.parseLong(c[9]),
                        Double.parseDouble(c[10]), Double.parseDouble(c[11]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a step under " + HEADER + ": " + line, e);
            }
        }
    }

    private final InetSocketAddress address;
    private final byte[] request;
    private final int connections;

    RateLoad(URI url, byte[] body, String contentType, int connections) {
        if (connections < 1) {
            throw new IllegalArgumentException("connections must be positive: " + connections);
        }
        if (!"http".equals(url.getScheme()) || url.getPort() < 0) {
            throw new IllegalArgumentException("url must be http://host:port/path: " + url);
        }
        this.address = new InetSocketAddress(url.getHost(), url.getPort());
        this.connections = connections;
        byte[] head = ("POST " + url.getRawPath() + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + url.getPort()
                + "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        this.request = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, request, head.length, body.length);
    }

    /**
     * Offers {@code rate} requests a second for {@code seconds}. Requests still unsent when the step has run
     * half as long again are counted as unsent, so that an overloaded server ends its step.
     */
    Step step(double rate, double seconds, long serverPid) throws InterruptedException {
        if (!(rate > 0) || !(seconds > 0)) {
            throw new IllegalArgumentException("rate and seconds must be positive: " + rate + ", " + seconds);
        }
        long total = Math.max(1, Math.round(rate * seconds));
        double interval = 1e9 / rate;
        long start = System.nanoTime() + 20_000_000; // every connection's thread is running before the first is due
        long deadline = start + (long) (seconds * 1.5e9);
        Connection[] workers = new Connection[connections];
        long cpuBefore = cpuNanos(serverPid);
        for (int c = 0; c < connections; c++) {
            workers[c] = new Connection(c, total, start, interval, deadline);
            workers[c].thread.start();
        }
        long end = start;
        for (Connection w : workers) {
            w.thread.join();
            end = Math.max(end, w.lastDone);
        }
        long cpuAfter = cpuNanos(serverPid);
        long[] all = new long[(int) Arrays.stream(workers).mapToLong(w -> w.count).sum()];
        int at = 0;
        long errors = 0;
        long unsent = 0;
        for (Connection w : workers) {
            System.arraycopy(w.latencies, 0, all, at, w.count);
            at += w.count;
            errors += w.errors;
            unsent += w.unsent;
        }
        Arrays.sort(all);
        double elapsed = Math.max(end - start, seconds * 1e9) / 1e9;
        return new Step(rate, all.length / elapsed, percentile(all, 0.50), percentile(all, 0.90),
                percentile(all, 0.99), percentile(all, 0.999), percentile(all, 1.0), all.length, errors, unsent,
                rssMib(serverPid), cpuBefore < 0 || cpuAfter < 0 || all.length == 0 ? Double.NaN
                        : (cpuAfter - cpuBefore) / 1e3 / all.length);
    }

    /** {@return the {@code q} quantile of sorted nanosecond latencies, in milliseconds; NaN when there are none} */
    static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.clamp(rank - 1, 0, sorted.length - 1)] / 1e6;
    }

    private static double rssMib(long pid) {
        if (pid <= 0) {
            return Double.NaN;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /**
     * {@return the CPU time {@code pid} has used, user and system, all its threads, in nanoseconds; -1 when
     * unknown} On Linux the JDK reads it from {@code /proc/<pid>/stat} (proc(5)), in clock ticks: 10 ms apart
     * where {@code getconf CLK_TCK} prints 100, as it does on x86-64 and arm64.
     */
    static long cpuNanos(long pid) {
        return ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration()).map(java.time.Duration::toNanos).orElse(-1L);
    }

    /** One keep-alive connection and the thread that drives it through its share of a step's schedule. */
    private final class Connection {
        final Thread thread;
        final long[] latencies;
        int count;
        long errors;
        long unsent;
        long lastDone;
        private Socket socket;
        private InputStream in;
        private OutputStream out;

        Connection(int index, long total, long start, double interval, long deadline) {
            this.latencies = new long[(int) ((total + connections - 1) / connections)];
            this.thread = Thread.ofPlatform().name("rate-load-" + index).unstarted(() -> {
                try {
                    for (long k = index; k < total; k += connections) {
                        long due = start + (long) (k * interval);
                        long now;
                        while ((now = System.nanoTime()) < due) {
                            LockSupport.parkNanos(due - now);
                        }
                        if (now > deadline) {
                            unsent += (total - k + connections - 1) / connections;
                            break;
                        }
                        if (exchange()) {
                            lastDone = System.nanoTime();
                            latencies[count++] = lastDone - due;
                        } else {
                            errors++;
                        }
                    }
                } finally {
                    disconnect();
                }
            });
        }

        /** Sends one request and reads its answer; {@code false} on an error or a status other than 200. */
        private boolean exchange() {
            try {
                if (socket == null) {
                    socket = new Socket();
                    socket.setTcpNoDelay(true);
                    socket.connect(address, 5_000);
                    socket.setSoTimeout(30_000);
                    in = new BufferedInputStream(socket.getInputStream(), 64 << 10);
                    out = socket.getOutputStream();
                }
                out.write(request);
                out.flush();
                return readResponse(in) == 200;
            } catch (IOException e) {
                disconnect();
                return false;
            }
        }

        private void disconnect() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // the connection is being dropped either way
                }
                socket = null;
            }
        }
    }

    /** Reads one HTTP/1.1 response with a {@code Content-Length}, skipping its body; {@return its status} */
    static int readResponse(InputStream in) throws IOException {
        String status = line(in);
        if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
            throw new IOException("not an HTTP/1.1 status line: " + status);
        }
        long length = -1;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            if (colon > 0 && header.substring(0, colon).trim().equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(header.substring(colon + 1).trim());
            }
        }
        if (length < 0) {
            throw new IOException("response without Content-Length: " + status);
        }
        in.skipNBytes(length);
        return Integer.parseInt(status.substring(9, 12));
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed in a response header");
            }
            if (b != '\r') {
                sb.append((char) b);
            }
        }
        return sb.toString();
    }

    /** See the class description. */
    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("--header")) {
            System.out.println(HEADER);
            return;
        }
        URI url = null;
        Path body = null;
        String type = "application/octet-stream";
        int connections = 64;
        double warmup = 10;
        double warmupRate = 0;
        double duration = 4;
        double slo = 20;
        int bisect = 2;
        long pid = -1;
        List<Double> rates = new ArrayList<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--url" -> url = URI.create(v);
                case "--body" -> body = Path.of(v);
                case "--type" -> type = v;
                case "--connections" -> connections = Integer.parseInt(v);
                case "--warmup" -> warmup = Double.parseDouble(v);
                case "--warmup-rate" -> warmupRate = Double.parseDouble(v);
                case "--duration" -> duration = Double.parseDouble(v);
                case "--slo-ms" -> slo = Double.parseDouble(v);
                case "--bisect" -> bisect = Integer.parseInt(v);
                case "--pid" -> pid = Long.parseLong(v);
                case "--rates" -> Arrays.stream(v.split(",")).map(Double::parseDouble).sorted().forEach(rates::add);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (url == null || body == null || rates.isEmpty()) {
            throw new IllegalArgumentException("usage: RateLoad --url URL --body FILE --rates R1,R2,... [options]");
        }
        RateLoad load = new RateLoad(url, Files.readAllBytes(body), type, connections);
        if (warmup > 0) {
            load.step(warmupRate > 0 ? warmupRate : rates.getFirst(), warmup, -1);
        }
        System.out.println(HEADER);
        double passed = 0;
        double failed = 0;
        int failures = 0;
        // one failed step may be a pause of the server's; two in a row end the ladder
        for (int i = 0; i < rates.size() && failures < 2; i++) {
            double rate = rates.get(i);
            Step s = load.step(rate, duration, pid);
            System.out.println(s.csv(slo));
            if (s.passes(slo)) {
                passed = rate;
                failed = 0;
                failures = 0;
            } else {
                failed = failed == 0 ? rate : failed;
                failures++;
            }
        }
        for (int i = 0; i < bisect && passed > 0 && failed > 0; i++) {
            double rate = Math.rint(Math.sqrt(passed * failed));
            Step s = load.step(rate, duration, pid);
            System.out.println(s.csv(slo));
            if (s.passes(slo)) {
                passed = rate;
            } else {
                failed = rate;
            }
        }
    }
}
