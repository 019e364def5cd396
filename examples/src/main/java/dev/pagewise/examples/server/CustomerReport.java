package dev.pagewise.examples.server;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The per-customer report the server answers for a JSON array of orders
 * ({@code [{"id":1,"customer":"c-7","lines":[{"sku":"A-1","qty":2,"price":9.5}, ...]}, ...]}), computed
 * entirely in off-heap memory: the body becomes a {@link JsonTree}, customers are totalled in an
 * open-addressing table that is replaced by one twice its size as it fills, and the answer is written into
 * a buffer that grows the same way:
 * {@code {"orders":N,"lines":L,"customers":C,"value":V,"top":[{"customer":"c-7","orders":3,"value":12.50}, ...]}}
 * with up to {@value #TOP} customers, most valuable first (ties: first seen first). Values are printed in
 * cents, rounded half up. Throws {@link IllegalArgumentException} when the body is not such an array.
 */
final class CustomerReport {

    static final int TOP = 5;

    private static final MemorySegment CUSTOMER = JsonTree.name("customer");
    private static final MemorySegment LINES = JsonTree.name("lines");
    private static final MemorySegment QUANTITY = JsonTree.name("qty");
    private static final MemorySegment PRICE = JsonTree.name("price");

    /**
     * A table entry: the customer's string node (0: empty), hash, total value, order count, first order.
     * Tables are cleared here: a {@link SegmentAllocator} does not promise zeroed memory (Netty's does not zero).
     */
    private static final long ENTRY = 40;

    private final SegmentAllocator memory;
    private MemorySegment table;
    private int customers;

    private CustomerReport(SegmentAllocator memory) {
        this.memory = memory;
        this.table = memory.allocate(ENTRY * 16, 8).fill((byte) 0);
    }

    /** {@return the report on the orders in {@code json}, written in memory from {@code memory}} */
    static MemorySegment of(MemorySegment json, SegmentAllocator memory) {
        long orders = JsonTree.parse(json, memory);
        if (JsonTree.kind(orders) != JsonTree.ARRAY) {
            throw new IllegalArgumentException("expected an array of orders");
        }
        CustomerReport report = new CustomerReport(memory);
        long lines = 0;
        double total = 0;
        int count = JsonTree.count(orders);
        for (int i = 0; i < count; i++) {
            long order = JsonTree.element(orders, i);
            long customer = JsonTree.kind(order) == JsonTree.OBJECT ? JsonTree.member(order, CUSTOMER) : 0;
            long items = customer == 0 ? 0 : JsonTree.member(order, LINES);
            if (customer == 0 || JsonTree.kind(customer) != JsonTree.STRING
                    || items == 0 || JsonTree.kind(items) != JsonTree.ARRAY) {
                throw new IllegalArgumentException("order " + i + " needs a customer string and a lines array");
            }
            double value = 0;
            int itemCount = JsonTree.count(items);
            for (int j = 0; j < itemCount; j++) {
                long line = JsonTree.element(items, j);
                value += number(line, QUANTITY, i) * number(line, PRICE, i);
            }
            lines += itemCount;
            total += value;
            report.add(customer, value, i);
        }
        return report.write(count, lines, total);
    }

    private static double number(long line, MemorySegment name, int order) {
        long node = JsonTree.kind(line) == JsonTree.OBJECT ? JsonTree.member(line, name) : 0;
        if (node == 0 || JsonTree.kind(node) != JsonTree.NUMBER) {
            throw new IllegalArgumentException("a line of order " + order + " needs numbers qty and price");
        }
        return JsonTree.number(node);
    }

    private void add(long customer, double value, int order) {
        MemorySegment name = JsonTree.string(customer);
        long hash = hash(name);
        long mask = table.byteSize() / ENTRY - 1;
        for (long i = hash & mask; ; i = (i + 1) & mask) {
            long entry = i * ENTRY;
            long key = table.get(JAVA_LONG, entry);
            if (key == 0) {
                table.set(JAVA_LONG, entry, customer);
                table.set(JAVA_LONG, entry + 8, hash);
                table.set(JAVA_DOUBLE, entry + 16, value);
                table.set(JAVA_LONG, entry + 24, 1);
                table.set(JAVA_LONG, entry + 32, order);
                if (++customers * 2 > mask + 1) {
                    grow();
                }
                return;
            }
            if (table.get(JAVA_LONG, entry + 8) == hash && JsonTree.equal(JsonTree.string(key), name)) {
                table.set(JAVA_DOUBLE, entry + 16, table.get(JAVA_DOUBLE, entry + 16) + value);
                table.set(JAVA_LONG, entry + 24, table.get(JAVA_LONG, entry + 24) + 1);
                return;
            }
        }
    }

    private void grow() {
        MemorySegment old = table;
        table = memory.allocate(old.byteSize() * 2, 8).fill((byte) 0);
        long mask = table.byteSize() / ENTRY - 1;
        for (long entry = 0; entry < old.byteSize(); entry += ENTRY) {
            if (old.get(JAVA_LONG, entry) != 0) {
                long i = old.get(JAVA_LONG, entry + 8) & mask;
                while (table.get(JAVA_LONG, i * ENTRY) != 0) {
                    i = (i + 1) & mask;
                }
                MemorySegment.copy(old, entry, table, i * ENTRY, ENTRY);
            }
        }
    }

    private static long hash(MemorySegment bytes) {
        long h = 0xcbf29ce484222325L;
        for (long i = 0; i < bytes.byteSize(); i++) {
            h = (h ^ (bytes.get(JAVA_BYTE, i) & 0xFF)) * 0x100000001b3L;
        }
        return h ^ h >>> 29;
    }

    /** The most valuable entries, best first; ties go to the customer seen first. */
    private long[] top() {
        long[] best = new long[Math.min(TOP, customers)];
        int found = 0;
        for (long entry = 0; entry < table.byteSize(); entry += ENTRY) {
            if (table.get(JAVA_LONG, entry) == 0) {
                continue;
            }
            int at = found < best.length ? found++ : best.length;
            while (at > 0 && better(entry, best[at - 1])) {
                if (at < best.length) {
                    best[at] = best[at - 1];
                }
                at--;
            }
            if (at < best.length) {
                best[at] = entry;
            }
        }
        return best;
    }

    private boolean better(long entry, long than) {
        int byValue = Double.compare(table.get(JAVA_DOUBLE, entry + 16), table.get(JAVA_DOUBLE, than + 16));
        return byValue > 0 || byValue == 0 && table.get(JAVA_LONG, entry + 32) < table.get(JAVA_LONG, than + 32);
    }

    private MemorySegment write(long orders, long lines, double total) {
        Text out = new Text(memory);
        out.ascii("{\"orders\":").number(orders).ascii(",\"lines\":").number(lines)
                .ascii(",\"customers\":").number(customers).ascii(",\"value\":").cents(total).ascii(",\"top\":[");
        long[] top = top();
        for (int i = 0; i < top.length; i++) {
            out.ascii(i == 0 ? "{\"customer\":" : ",{\"customer\":")
                    .quoted(JsonTree.string(table.get(JAVA_LONG, top[i])))
                    .ascii(",\"orders\":").number(table.get(JAVA_LONG, top[i] + 24))
                    .ascii(",\"value\":").cents(table.get(JAVA_DOUBLE, top[i] + 16)).ascii("}");
        }
        return out.ascii("]}").written();
    }

    /** A UTF-8 buffer in request memory that is replaced by one twice its size when full. */
    private static final class Text {
        private final SegmentAllocator memory;
        private MemorySegment bytes;
        private long length;

        Text(SegmentAllocator memory) {
            this.memory = memory;
            this.bytes = memory.allocate(256, 1);
        }

        private void room(long more) {
            if (length + more > bytes.byteSize()) {
                MemorySegment larger = memory.allocate(Math.max(bytes.byteSize() * 2, length + more), 1);
                MemorySegment.copy(bytes, 0, larger, 0, length);
                bytes = larger;
            }
        }

        private Text put(byte b) {
            room(1);
            bytes.set(JAVA_BYTE, length++, b);
            return this;
        }

        Text ascii(String s) {
            room(s.length());
            for (int i = 0; i < s.length(); i++) {
                bytes.set(JAVA_BYTE, length++, (byte) s.charAt(i));
            }
            return this;
        }

        Text number(long v) {
            if (v < 0) {
                put((byte) '-');
                v = -v;
            }
            long scale = 1;
            while (scale <= v / 10) {
                scale *= 10;
            }
            for (; scale > 0; scale /= 10) {
                put((byte) ('0' + v / scale % 10));
            }
            return this;
        }

        Text cents(double value) {
            long cents = Math.round(value * 100);
            if (cents < 0) {
                put((byte) '-');
                cents = -cents;
            }
            number(cents / 100).put((byte) '.');
            return put((byte) ('0' + cents / 10 % 10)).put((byte) ('0' + cents % 10));
        }

        /** Writes {@code s} as a JSON string, escaping quotes, backslashes and control characters. */
        Text quoted(MemorySegment s) {
            put((byte) '"');
            for (long i = 0; i < s.byteSize(); i++) {
                byte c = s.get(JAVA_BYTE, i);
                if (c == '"' || c == '\\') {
                    put((byte) '\\').put(c);
                } else if (c >= 0 && c < 0x20) {
                    ascii(String.format("\\u%04x", c));
                } else {
                    put(c);
                }
            }
            return put((byte) '"');
        }

        MemorySegment written() {
            return bytes.asSlice(0, length);
        }
    }
}
