package dev.pagewise.examples.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonTreeTest {

    private static long parse(Arena arena, String json) {
        return JsonTree.parse(arena.allocateFrom(json).asSlice(0, json.getBytes(StandardCharsets.UTF_8).length), arena);
    }

    private static String text(long string) {
        return new String(JsonTree.string(string).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    @Test
    void shouldBuildNodesForEveryKindInDocumentOrder() {
        try (Arena arena = Arena.ofConfined()) {
            long root = parse(arena, " {\"a\": [1, -2.5, 3e2, 1.25E-2, 0], \"b\": true, \"c\": false, \"d\": null, \"e\": {}, \"f\": [], \"\": \"\"} ");
            assertEquals(JsonTree.OBJECT, JsonTree.kind(root));
            assertEquals(7, JsonTree.count(root));
            long a = JsonTree.member(root, JsonTree.name("a"));
            assertEquals(JsonTree.ARRAY, JsonTree.kind(a));
            double[] expected = {1, -2.5, 300, 0.0125, 0};
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], JsonTree.number(JsonTree.element(a, i)));
            }
            assertEquals(JsonTree.TRUE, JsonTree.kind(JsonTree.member(root, JsonTree.name("b"))));
            assertEquals(JsonTree.FALSE, JsonTree.kind(JsonTree.member(root, JsonTree.name("c"))));
            assertEquals(JsonTree.NULL, JsonTree.kind(JsonTree.member(root, JsonTree.name("d"))));
            assertEquals(0, JsonTree.count(JsonTree.member(root, JsonTree.name("e"))));
            assertEquals(JsonTree.ARRAY, JsonTree.kind(JsonTree.member(root, JsonTree.name("f"))));
            assertEquals("", text(JsonTree.member(root, JsonTree.name(""))));
            assertEquals(0, JsonTree.member(root, JsonTree.name("missing")));
        }
    }

    @Test
    void shouldGrowChildVectorsPastTheirFirstCapacity() {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < 1000; i++) {
            json.append(i == 0 ? "" : ",").append("{\"k").append(i).append("\":").append(i).append(",\"x\":[").append(i).append("]}");
        }
        try (Arena arena = Arena.ofConfined()) {
            long root = parse(arena, json.append(']').toString());
            assertEquals(1000, JsonTree.count(root));
            for (int i = 0; i < 1000; i++) {
                long element = JsonTree.element(root, i);
                assertEquals(i, JsonTree.number(JsonTree.member(element, JsonTree.name("k" + i))));
            }
        }
    }

    @Test
    void shouldDecodeEscapesToUtf8() {
        try (Arena arena = Arena.ofConfined()) {
            assertEquals("q\"b\\s/\b\f\n\r\t é ☃ 😀",
                    text(parse(arena, "\"q\\\"b\\\\s\\/\\b\\f\\n\\r\\t \\u00e9 \\u2603 \\ud83d\\ude00\"")));
            assertEquals("plain été", text(parse(arena, "\"plain été\"")));
        }
    }

    @Test
    void shouldParseNumbersAsJavaDoes() {
        String[] numbers = {"0.1", "123456789012345678", "1234567890123456789012", "9007199254740993", "-0", "2.5e-300",
            "1e22", "1e23", "4.35", "0.30000000000000004"};
        try (Arena arena = Arena.ofConfined()) {
            for (String n : numbers) {
                assertEquals(Double.parseDouble(n), JsonTree.number(parse(arena, n)), n);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[", "[1,]", "{\"a\" 1}", "{1:2}", "tru", "\"open", "\"bad \\x escape\"", "\"\\u12\"", "1.",
        "1e", "-", "[1] 2", "\"tab\tinside\""})
    void shouldRejectMalformedText(String json) {
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class, () -> parse(arena, json));
        }
    }

    @Test
    void shouldRejectNestingDeeperThanTheLimit() {
        String ok = "[".repeat(JsonTree.MAX_DEPTH) + "]".repeat(JsonTree.MAX_DEPTH);
        String deep = "[".repeat(JsonTree.MAX_DEPTH + 1) + "]".repeat(JsonTree.MAX_DEPTH + 1);
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(JsonTree.ARRAY, JsonTree.kind(parse(arena, ok)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(arena, deep));
            assertEquals("malformed JSON at byte " + JsonTree.MAX_DEPTH + ": nested deeper than " + JsonTree.MAX_DEPTH, e.getMessage());
        }
    }

    @Test
    void shouldReportTheSameAsTheHeapModelForGeneratedOrders() {
        for (int seed = 0; seed < 20; seed++) {
            var orders = OrderBodies.orders(1 + seed * 37, seed);
            try (Arena arena = Arena.ofConfined()) {
                String json = OrderBodies.json(orders);
                MemorySegment report = CustomerReport.of(arena.allocateFrom(json).asSlice(0, json.length()), arena);
                assertEquals(OrderServerTest.expectedReport(orders), new String(report.toArray(JAVA_BYTE), StandardCharsets.UTF_8));
            }
        }
    }
}
