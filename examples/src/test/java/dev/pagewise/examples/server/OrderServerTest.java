package dev.pagewise.examples.server;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The server on an ephemeral loopback port answers a few hundred concurrent requests correctly, and every slot comes back. */
class OrderServerTest {

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

    /** The report of {@link CustomerReport}, computed on the heap from the orders themselves. */
    static String expectedReport(List<OrderBodies.Order> orders) {
        record Total(String customer, double value, long orders, int first) {
        }
        Map<String, Total> byCustomer = new LinkedHashMap<>();
        long lines = 0;
        double total = 0;
        for (int i = 0; i < orders.size(); i++) {
            OrderBodies.Order o = orders.get(i);
            double value = 0;
            for (OrderBodies.Line l : o.lines()) {
                value += l.quantity() * Double.parseDouble(l.price());
            }
            lines += o.lines().size();
            total += value;
            int first = i;
            double v = value;
            byCustomer.merge(o.customer(), new Total(o.customer(), v, 1, first),
                    (a, b) -> new Total(a.customer(), a.value() + b.value(), a.orders() + 1, a.first()));
        }
        List<Total> top = byCustomer.values().stream()
                .sorted(Comparator.comparingDouble(Total::value).reversed().thenComparingInt(Total::first))
                .limit(CustomerReport.TOP).toList();
        StringBuilder sb = new StringBuilder().append("{\"orders\":").append(orders.size()).append(",\"lines\":").append(lines)
                .append(",\"customers\":").append(byCustomer.size()).append(",\"value\":").append(cents(total)).append(",\"top\":[");
        for (int i = 0; i < top.size(); i++) {
            sb.append(i == 0 ? "" : ",").append("{\"customer\":\"").append(top.get(i).customer()).append("\",\"orders\":")
                    .append(top.get(i).orders()).append(",\"value\":").append(cents(top.get(i).value())).append('}');
        }
        return sb.append("]}").toString();
    }

    private static String cents(double value) {
        long c = Math.round(value * 100);
        return String.format(Locale.ROOT, "%d.%02d", c / 100, c % 100);
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
            Semaphore inFlight = new Semaphore(32);
            for (int r = 0; r < 300; r++) {
                inFlight.acquire();
                HttpRequest request;
                String expected;
                if (r % 2 == 0) {
                    int rows = 50 + r % 400;
                    request = HttpRequest.newBuilder(uri).header("Content-Type", "text/csv")
                            .POST(HttpRequest.BodyPublishers.ofString(OrderBodies.csv(rows, r))).build();
                    expected = expected(rows, r);
                } else {
                    List<OrderBodies.Order> orders = OrderBodies.orders(1 + r % 200, r);
                    request = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(OrderBodies.json(orders))).build();
                    expected = expectedReport(orders);
                }
                calls.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                        .whenComplete((response, error) -> inFlight.release())
                        .thenAccept(response -> {
                            assertEquals(200, response.statusCode(), response.body());
                            assertEquals(expected, response.body());
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

    @ParameterizedTest
    @ValueSource(strings = {"pagewise", "jdk"})
    void shouldRejectMalformedBodiesAndKeepServing(String allocator) throws Exception {
        try (OrderServer server = OrderServer.start(allocator, 0, 2);
             HttpClient client = HttpClient.newHttpClient()) {
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/orders");
            for (String body : List.of("[{\"customer\":\"a\",\"lines\":[{\"qty\":1,\"price\":2}]", "{\"not\":\"an array\"}",
                    "[{\"customer\":7,\"lines\":[]}]", "[" + "[".repeat(100) + "]".repeat(101))) {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(400, response.statusCode(), body);
            }
            List<OrderBodies.Order> orders = OrderBodies.orders(40, 1);
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(OrderBodies.json(orders))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(expectedReport(orders), response.body());
            if (server.pool() != null) {
                assertEquals(2, server.pool().metrics().free(), "slots of failed requests came back");
            }
        }
    }
}
