package dev.pagewise.bench.server;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The server on an ephemeral loopback port answers a few hundred concurrent requests correctly, and every slot comes back. */
class OrderServerTest {

    static String csv(int rows, int seed) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            sb.append(seed * 100_000L + i).append(',').append(1 + (i * 7 + seed) % 50).append(',')
                    .append(String.format(Locale.ROOT, "%d.%02d", 1 + (i * 13 + seed) % 90, (i * 31) % 100)).append('\n');
        }
        return sb.toString();
    }

    static String expected(int rows, int seed) {
        long quantity = 0;
        double value = 0;
        long top = -1;
        double topValue = -1;
        for (int i = 0; i < rows; i++) {
            int q = 1 + (i * 7 + seed) % 50;
            double p = (1 + (i * 13 + seed) % 90) + ((i * 31) % 100) / 100.0;
            quantity += q;
            value += q * p;
            if (q * p > topValue) {
                topValue = q * p;
                top = seed * 100_000L + i;
            }
        }
        return String.format(Locale.ROOT, "{\"rows\":%d,\"quantity\":%d,\"value\":%.2f,\"top\":%d}", rows, quantity, value, top);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pagewise", "pagewise-scrub", "jdk", "netty"})
    void shouldAnswerConcurrentRequestsAndReturnEverySlot(String allocator) throws Exception {
        try (OrderServer server = OrderServer.start(allocator, 0, 8);
             HttpClient client = HttpClient.newHttpClient()) {
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/orders");
            List<CompletableFuture<Void>> calls = new ArrayList<>();
            // At most 32 in flight: more leaves over 200 idle keep-alive connections, which the JDK's
            // HttpServer closes while HttpClient may be reusing them (a race between the two, not the handler).
            java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(32);
            for (int r = 0; r < 300; r++) {
                inFlight.acquire();
                int seed = r;
                int rows = 50 + r % 400;
                HttpRequest request = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(csv(rows, seed))).build();
                calls.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                        .whenComplete((response, error) -> inFlight.release())
                        .thenAccept(response -> {
                            assertEquals(200, response.statusCode(), response.body());
                            assertEquals(expected(rows, seed), response.body());
                        }));
            }
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
            if (server.pool() != null) {
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (server.pool().metrics().free() != 8 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertEquals(0, server.pool().metrics().leased(), "every lease came back");
                assertEquals(8, server.pool().metrics().free(), "every slot is free again");
                assertEquals(300, server.pool().metrics().leases());
            }
        }
    }
}
