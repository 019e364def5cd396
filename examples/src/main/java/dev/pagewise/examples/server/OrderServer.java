package dev.pagewise.examples.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pagewise.os.ArenaPool;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * An HTTP server that does real work in off-heap memory per request. {@code POST /orders} reads the body
 * into the request's memory and answers JSON built there:
 * <ul>
 * <li>{@code Content-Type: application/json}, an array of orders with their lines: parsed into a tree of
 *     off-heap nodes, one allocation per node, string and child vector, and answered with the
 *     {@link CustomerReport} (thousands of allocations per request, as a DOM parser makes);
 * <li>otherwise CSV lines {@code id,quantity,price}: parsed into three off-heap columns and answered with
 *     a summary (row count, total quantity, total value, the most valuable order): four allocations.
 * </ul>
 * Malformed bodies get 400, a missing {@code Content-Length} 411.
 * The request's memory comes from a Pagewise {@link ArenaPool}, a JDK {@code Arena.ofConfined()}, or
 * Netty's pooled allocator, chosen by {@code --allocator}. Loopback only; JDK HttpServer on virtual threads.
 *
 * <p>Usage: {@code OrderServer --allocator pagewise|pagewise-scrub|jdk|netty [--port 8080] [--slots 64]}.
 */
public final class OrderServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;
    private final ArenaPool pool;

    private OrderServer(HttpServer server, ExecutorService executor, ArenaPool pool) {
        this.server = server;
        this.executor = executor;
        this.pool = pool;
    }

    /** Starts a server on 127.0.0.1:{@code port} (0 for an ephemeral port). */
    public static OrderServer start(String allocator, int port, int slots) throws IOException {
        ArenaPool pool = switch (allocator) {
            case "pagewise" -> ArenaPool.builder(slots, 4 << 20).leaseTimeout(Duration.ofSeconds(5)).build();
            case "pagewise-scrub" -> ArenaPool.builder(slots, 4 << 20).leaseTimeout(Duration.ofSeconds(5))
                    .scrubInBackground().build();
            case "jdk", "netty" -> null;
            default -> throw new IllegalArgumentException("--allocator pagewise|pagewise-scrub|jdk|netty, not " + allocator);
        };
        Supplier<RequestMemory> memory = switch (allocator) {
            case "jdk" -> RequestMemory::jdk;
            case "netty" -> RequestMemory::netty;
            default -> () -> RequestMemory.pagewise(pool);
        };
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/orders", exchange -> handle(exchange, memory));
        server.start();
        return new OrderServer(server, executor, pool);
    }

    /** {@return the port the server listens on} */
    public int port() {
        return server.getAddress().getPort();
    }

    /** {@return the pool, or {@code null} when the server does not use Pagewise} */
    public ArenaPool pool() {
        return pool;
    }

    private static void handle(HttpExchange exchange, Supplier<RequestMemory> memory) throws IOException {
        try (exchange) {
            byte[] bytes;
            int status = 200;
            String length = exchange.getRequestHeaders().getFirst("Content-Length");
            boolean json = String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")).startsWith("application/json");
            if (length == null) {
                status = 411;
                bytes = "Content-Length required".getBytes(StandardCharsets.UTF_8);
            } else {
                try (RequestMemory request = memory.get()) {
                    MemorySegment body = request.allocate(Long.parseLong(length), 8);
                    read(exchange.getRequestBody(), body);
                    bytes = (json ? CustomerReport.of(body, request) : summarize(body, request)).toArray(JAVA_BYTE);
                } catch (IllegalArgumentException e) {
                    status = 400;
                    bytes = String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8);
                } catch (RuntimeException e) {
                    status = 500;
                    bytes = String.valueOf(e).getBytes(StandardCharsets.UTF_8);
                }
            }
            exchange.getResponseHeaders().set("Content-Type", status == 200 ? "application/json" : "text/plain");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static void read(InputStream in, MemorySegment into) throws IOException {
        byte[] chunk = new byte[16 << 10];
        long at = 0;
        int n;
        while (at < into.byteSize() && (n = in.read(chunk, 0, (int) Math.min(chunk.length, into.byteSize() - at))) > 0) {
            MemorySegment.copy(chunk, 0, into, JAVA_BYTE, at, n);
            at += n;
        }
        if (at != into.byteSize()) {
            throw new IllegalArgumentException("body ended after " + at + " of " + into.byteSize() + " bytes");
        }
    }

    /** Parses the CSV into off-heap columns and writes the JSON summary off-heap. */
    static MemorySegment summarize(MemorySegment csv, java.lang.foreign.SegmentAllocator memory) {
        long rows = 0;
        for (long i = 0; i < csv.byteSize(); i++) {
            if (csv.get(JAVA_BYTE, i) == '\n') {
                rows++;
            }
        }
        MemorySegment ids = memory.allocate(JAVA_LONG, Math.max(1, rows));
        MemorySegment quantities = memory.allocate(JAVA_INT, Math.max(1, rows));
        MemorySegment prices = memory.allocate(JAVA_DOUBLE, Math.max(1, rows));
        long row = 0;
        long field = 0;
        long value = 0;
        long scale = 0;
        for (long i = 0; i < csv.byteSize(); i++) {
            byte c = csv.get(JAVA_BYTE, i);
            if (c >= '0' && c <= '9') {
                value = value * 10 + (c - '0');
                scale = scale > 0 ? scale * 10 : 0;
            } else if (c == '.') {
                scale = 1;
            } else if (c == ',' || c == '\n') {
                switch ((int) field) {
                    case 0 -> ids.setAtIndex(JAVA_LONG, row, value);
                    case 1 -> quantities.setAtIndex(JAVA_INT, row, (int) value);
                    default -> prices.setAtIndex(JAVA_DOUBLE, row, scale > 0 ? (double) value / scale : value);
                }
                value = 0;
                scale = 0;
                field++;
                if (c == '\n') {
                    row++;
                    field = 0;
                }
            }
        }
        long totalQuantity = 0;
        double totalValue = 0;
        long best = -1;
        double bestValue = -1;
        for (long r = 0; r < rows; r++) {
            double v = quantities.getAtIndex(JAVA_INT, r) * prices.getAtIndex(JAVA_DOUBLE, r);
            totalQuantity += quantities.getAtIndex(JAVA_INT, r);
            totalValue += v;
            if (v > bestValue) {
                bestValue = v;
                best = ids.getAtIndex(JAVA_LONG, r);
            }
        }
        String json = String.format(Locale.ROOT, "{\"rows\":%d,\"quantity\":%d,\"value\":%.2f,\"top\":%d}",
                rows, totalQuantity, totalValue, best);
        return memory.allocateFrom(json).asSlice(0, json.length());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
        if (pool != null) {
            pool.close();
        }
    }

    public static void main(String[] args) throws Exception {
        String allocator = "pagewise";
        int port = 8080;
        int slots = 64;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--allocator" -> allocator = args[i + 1];
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--slots" -> slots = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        OrderServer server = start(allocator, port, slots);
        System.out.println("OrderServer (" + allocator + ") on 127.0.0.1:" + server.port() + ", pid "
                + ProcessHandle.current().pid());
        Thread.currentThread().join();
    }
}
