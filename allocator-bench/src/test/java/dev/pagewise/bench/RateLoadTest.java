package dev.pagewise.bench;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateLoadTest {

    private HttpServer server;
    private ExecutorService executor;

    /** A server that answers at once, except that request number {@code stallAt} takes {@code stallMillis}. */
    private URI start(int stallAt, long stallMillis) throws IOException {
        AtomicInteger requests = new AtomicInteger();
        return serve(exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                if (requests.incrementAndGet() == stallAt) {
                    try {
                        Thread.sleep(stallMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                byte[] answer = "{}".getBytes(StandardCharsets.US_ASCII);
                exchange.sendResponseHeaders(200, answer.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        });
    }

    /** Starts a server on virtual threads that answers every request with {@code handler}; {@return its URI} */
    private URI serve(HttpHandler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", handler);
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/orders");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
            executor.close();
        }
    }

    @Test
    void offersTheRateItIsAskedFor() throws Exception {
        RateLoad load = new RateLoad(start(0, 0), new byte[100], "text/plain", 4);
        RateLoad.Step s = load.step(400, 1.0, -1);
        assertEquals(400, s.completed());
        assertEquals(0, s.errors());
        assertTrue(s.achieved() > 0.9 * 400 && s.achieved() < 1.1 * 400, "achieved " + s.achieved());
        assertTrue(s.passes(200), s.csv(200));
    }

    @Test
    void measuresTheServersCpuTimeOnlyWhenGivenItsPid() throws Exception {
        RateLoad load = new RateLoad(start(0, 0), new byte[100], "text/plain", 4);
        assertTrue(Double.isNaN(load.step(200, 0.5, -1).cpuMicros()), "no pid, no CPU time");
        RateLoad.Step s = load.step(200, 0.5, ProcessHandle.current().pid());
        assertTrue(s.cpuMicros() >= 0 && s.cpuMicros() < 1e6, "CPU us a request " + s.cpuMicros());
        long before = RateLoad.cpuNanos(ProcessHandle.current().pid());
        assertTrue(before > 0, "this JVM has used CPU: " + before);
        long spin = System.nanoTime() + 5_000_000_000L;
        long after = before;
        while (after == before && System.nanoTime() < spin) {
            after = RateLoad.cpuNanos(ProcessHandle.current().pid());
        }
        assertTrue(after > before, "a busy thread's CPU time shows within 5 s: " + before + " -> " + after);
        assertEquals(-1, RateLoad.cpuNanos(-1));
        assertEquals(-1, RateLoad.cpuNanos(Long.MAX_VALUE), "no such process");
    }

    /**
     * One 400 ms stall with one connection at 200 requests a second: the 80 requests due during the stall
     * wait behind it, and their latencies count from when they were due. A closed-loop measurement would
     * see one slow request of 200, below the 99th percentile.
     */
    @Test
    void chargesTheServerForRequestsThatWaitedBehindAStall() throws Exception {
        RateLoad load = new RateLoad(start(40, 400), new byte[10], "text/plain", 1);
        RateLoad.Step s = load.step(200, 1.0, -1);
        assertEquals(200, s.completed());
        assertTrue(s.p99() >= 300, "p99 " + s.p99() + " ms should include the wait behind the stall");
        assertTrue(s.p90() >= 100, "p90 " + s.p90() + " ms: about 80 of 200 requests waited");
        assertTrue(s.p50() < 100, "p50 " + s.p50() + " ms: the first 40 were not held up");
        assertFalse(s.passes(100), s.csv(100));
    }

    @Test
    void overloadEndsTheStepAndCountsWhatWasNotSent() throws Exception {
        RateLoad load = new RateLoad(start(1, 1_500), new byte[10], "text/plain", 1);
        RateLoad.Step s = load.step(100, 0.5, -1);
        assertTrue(s.unsent() > 0, s.csv(100));
        assertFalse(s.passes(10_000), s.csv(10_000));
    }

    @Test
    void countsAnswersOtherThan200AsErrors() throws Exception {
        URI failing = serve(exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(500, 1);
                exchange.getResponseBody().write('x');
            }
        });
        RateLoad load = new RateLoad(failing, new byte[1], "text/plain", 1);
        RateLoad.Step s = load.step(50, 0.2, -1);
        assertEquals(10, s.errors());
        assertEquals(0, s.completed());
    }

    @Test
    void readsAResponseAndSkipsItsBody() throws IOException {
        byte[] two = ("HTTP/1.1 200 OK\r\nContent-length: 3\r\n\r\nabcHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        ByteArrayInputStream in = new ByteArrayInputStream(two);
        assertEquals(200, RateLoad.readResponse(in));
        assertEquals(404, RateLoad.readResponse(in));
        assertThrows(IOException.class, () -> RateLoad.readResponse(
                new ByteArrayInputStream("HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void percentilesAreRanksOfTheSortedLatencies() {
        long[] ms = new long[100];
        for (int i = 0; i < 100; i++) {
            ms[i] = (i + 1) * 1_000_000L;
        }
        assertEquals(50, RateLoad.percentile(ms, 0.5));
        assertEquals(99, RateLoad.percentile(ms, 0.99));
        assertEquals(100, RateLoad.percentile(ms, 1.0));
        assertTrue(Double.isNaN(RateLoad.percentile(new long[0], 0.5)));
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new RateLoad(URI.create("http://127.0.0.1:1/"), new byte[0], "t", 0));
        assertThrows(IllegalArgumentException.class, () -> new RateLoad(URI.create("https://127.0.0.1:1/"), new byte[0], "t", 1));
        RateLoad load = new RateLoad(URI.create("http://127.0.0.1:1/"), new byte[0], "t", 1);
        assertThrows(IllegalArgumentException.class, () -> load.step(0, 1, -1));
    }
}
