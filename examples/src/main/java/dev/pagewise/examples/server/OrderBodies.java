package dev.pagewise.examples.server;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Deterministic request bodies for {@link OrderServer}, shared by its tests and {@code scripts/load-server}.
 * {@code main} writes one body to a file: {@code OrderBodies json|csv <orders or rows> <out-file>}. Bodies are
 * ASCII: non-ASCII characters in notes are sent as JSON escapes.
 */
public final class OrderBodies {

    /** One line of an order; {@code price} is the decimal text sent. */
    public record Line(String sku, int quantity, String price) {
    }

    /** One order; {@code note} may be {@code null}, and may need escaping. */
    public record Order(long id, String customer, boolean express, String note, List<Line> lines) {
    }

    private OrderBodies() {
    }

    /** {@return {@code count} orders of 1 to 8 lines each, from about {@code count / 4} customers} */
    public static List<Order> orders(int count, int seed) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
        List<Order> orders = new ArrayList<>(count);
        int customers = Math.max(1, count / 4);
        for (int i = 0; i < count; i++) {
            List<Line> lines = new ArrayList<>();
            for (int j = 0; j < 1 + (i * 5 + seed) % 8; j++) {
                lines.add(new Line(String.format(Locale.ROOT, "SKU-%05d", (i * 31 + j * 17 + seed) % 1000),
                        1 + (i + j * 3 + seed) % 20,
                        String.format(Locale.ROOT, "%d.%02d", 1 + (i * 13 + j * 7 + seed) % 90, (i * 31 + j) % 100)));
            }
            String note = i % 10 == 3 ? "gift \"wrap\"\n\u00e9t\u00e9 \u2603" : null;
            orders.add(new Order(seed * 100_000L + i, "customer-" + (i * 7 + seed) % customers, i % 3 == 0, note, lines));
        }
        return orders;
    }

    /** {@return the orders as a JSON array, with escapes in the notes} */
    public static String json(List<Order> orders) {
        StringBuilder sb = new StringBuilder("[");
        for (Order o : orders) {
            sb.append(sb.length() > 1 ? ",\n" : "\n").append("{\"id\":").append(o.id())
                    .append(",\"customer\":\"").append(o.customer()).append("\",\"express\":").append(o.express())
                    .append(",\"note\":");
            if (o.note() == null) {
                sb.append("null");
            } else {
                sb.append('"');
                for (char c : o.note().toCharArray()) {
                    switch (c) {
                        case '"' -> sb.append("\\\"");
                        case '\n' -> sb.append("\\n");
                        default -> sb.append(c < 0x80 ? String.valueOf(c) : String.format("\\u%04x", (int) c));
                    }
                }
                sb.append('"');
            }
            sb.append(", \"lines\": [");
            for (int j = 0; j < o.lines().size(); j++) {
                Line l = o.lines().get(j);
                sb.append(j == 0 ? "" : ", ").append("{\"sku\":\"").append(l.sku()).append("\",\"qty\":")
                        .append(l.quantity()).append(",\"price\":").append(l.price()).append('}');
            }
            sb.append("]}");
        }
        return sb.append("\n]\n").toString();
    }

    /** {@return {@code rows} CSV lines {@code id,quantity,price}} */
    public static String csv(int rows, int seed) {
        if (rows < 0) {
            throw new IllegalArgumentException("rows must not be negative: " + rows);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            sb.append(seed * 100_000L + i).append(',').append(1 + (i * 7 + seed) % 50).append(',')
                    .append(String.format(Locale.ROOT, "%d.%02d", 1 + (i * 13 + seed) % 90, (i * 31) % 100)).append('\n');
        }
        return sb.toString();
    }

    /**
     * Writes one body to a file, and prints {@code bytes=N allocations=M}: the body's size and how many
     * allocations the server makes for it.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 3 || !(args[0].equals("json") || args[0].equals("csv"))) {
            throw new IllegalArgumentException("usage: OrderBodies json|csv <orders or rows> <out-file>");
        }
        int n = Integer.parseInt(args[1]);
        boolean json = args[0].equals("json");
        String body = json ? json(orders(n, 0)) : csv(n, 0);
        Files.writeString(Path.of(args[2]), body, StandardCharsets.US_ASCII);
        long[] allocations = {1};
        try (Arena arena = Arena.ofConfined()) {
            SegmentAllocator counting = (size, alignment) -> {
                allocations[0]++;
                return arena.allocate(size, alignment);
            };
            MemorySegment text = arena.allocateFrom(body).asSlice(0, body.length());
            if (json) {
                CustomerReport.of(text, counting);
            } else {
                OrderServer.summarize(text, counting);
            }
        }
        System.out.println("bytes=" + body.length() + " allocations=" + allocations[0]);
    }
}
