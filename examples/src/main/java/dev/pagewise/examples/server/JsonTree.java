package dev.pagewise.examples.server;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A JSON document parsed into off-heap nodes the way a DOM parser builds its tree: every node, every string
 * and every child vector is a separate allocation from the request's {@link SegmentAllocator}, and a vector
 * that fills up is replaced by one twice its size. Nodes refer to each other by address and live as long as
 * the memory they came from.
 *
 * <p>A node is 24 bytes: {@code int kind, int count, long a, long b}. A number keeps its {@code double} in
 * {@code a}; a string its byte count in {@code count} and the address of its UTF-8 bytes in {@code a}; an
 * array its element count and the address of a {@code long[count]} of node addresses; an object its member
 * count and the address of a {@code long[2 * count]} of key and value node addresses, in document order.
 *
 * <p>{@link #parse} throws {@link IllegalArgumentException} for malformed input or nesting deeper than
 * {@value #MAX_DEPTH}. Not thread-safe.
 */
final class JsonTree {

    static final int NULL = 0;
    static final int FALSE = 1;
    static final int TRUE = 2;
    static final int NUMBER = 3;
    static final int STRING = 4;
    static final int ARRAY = 5;
    static final int OBJECT = 6;

    static final int MAX_DEPTH = 64;

    private static final long NODE_SIZE = 24;
    private static final double[] POWERS_OF_TEN = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

    private final MemorySegment text;
    private final SegmentAllocator memory;
    private long at;

    private JsonTree(MemorySegment text, SegmentAllocator memory) {
        this.text = text;
        this.memory = memory;
    }

    /** {@return the address of the root node of {@code text}, parsed into nodes allocated from {@code memory}} */
    static long parse(MemorySegment text, SegmentAllocator memory) {
        JsonTree parser = new JsonTree(text, memory);
        long root = parser.value(0);
        parser.skipWhitespace();
        if (parser.at != text.byteSize()) {
            throw parser.malformed("text after the document");
        }
        return root;
    }

    static int kind(long node) {
        return node(node).get(JAVA_INT, 0);
    }

    /** {@return the element count of an array, the member count of an object, the byte count of a string} */
    static int count(long node) {
        return node(node).get(JAVA_INT, 4);
    }

    static double number(long node) {
        return node(node).get(JAVA_DOUBLE, 8);
    }

    /** {@return the UTF-8 bytes of a string node} */
    static MemorySegment string(long node) {
        MemorySegment n = node(node);
        return MemorySegment.ofAddress(n.get(JAVA_LONG, 8)).reinterpret(n.get(JAVA_INT, 4));
    }

    static long element(long array, int index) {
        MemorySegment n = node(array);
        return MemorySegment.ofAddress(n.get(JAVA_LONG, 8)).reinterpret(n.get(JAVA_INT, 4) * 8L).getAtIndex(JAVA_LONG, index);
    }

    /** {@return the value of the first member of {@code object} named {@code name}, or 0 if it has none} */
    static long member(long object, MemorySegment name) {
        MemorySegment n = node(object);
        int count = n.get(JAVA_INT, 4);
        MemorySegment members = MemorySegment.ofAddress(n.get(JAVA_LONG, 8)).reinterpret(count * 16L);
        for (int i = 0; i < count; i++) {
            if (equal(string(members.getAtIndex(JAVA_LONG, 2L * i)), name)) {
                return members.getAtIndex(JAVA_LONG, 2L * i + 1);
            }
        }
        return 0;
    }

    /** {@return whether {@code a} and {@code b} hold the same bytes} */
    static boolean equal(MemorySegment a, MemorySegment b) {
        long n = a.byteSize();
        if (n != b.byteSize()) {
            return false;
        }
        if (n >= 32) {
            return a.mismatch(b) < 0;
        }
        for (long i = 0; i < n; i++) {
            if (a.get(JAVA_BYTE, i) != b.get(JAVA_BYTE, i)) {
                return false;
            }
        }
        return true;
    }

    /** {@return {@code name} as UTF-8 bytes in a heap segment, for {@link #member}} */
    static MemorySegment name(String name) {
        return MemorySegment.ofArray(name.getBytes(StandardCharsets.UTF_8));
    }

    private static MemorySegment node(long address) {
        return MemorySegment.ofAddress(address).reinterpret(NODE_SIZE);
    }

    private long node(int kind, int count, long a) {
        MemorySegment node = memory.allocate(NODE_SIZE, 8);
        node.set(JAVA_INT, 0, kind);
        node.set(JAVA_INT, 4, count);
        node.set(JAVA_LONG, 8, a);
        node.set(JAVA_LONG, 16, 0);
        return node.address();
    }

    private long value(int depth) {
        skipWhitespace();
        if (at >= text.byteSize()) {
            throw malformed("unexpected end");
        }
        return switch (text.get(JAVA_BYTE, at)) {
            case '{' -> container(depth, '}', OBJECT);
            case '[' -> container(depth, ']', ARRAY);
            case '"' -> string();
            case 't' -> literal("true", TRUE);
            case 'f' -> literal("false", FALSE);
            case 'n' -> literal("null", NULL);
            default -> number();
        };
    }

    /** An array or an object: its children go into a vector that doubles when full. */
    private long container(int depth, char close, int kind) {
        if (depth >= MAX_DEPTH) {
            throw malformed("nested deeper than " + MAX_DEPTH);
        }
        at++;
        skipWhitespace();
        if (at < text.byteSize() && text.get(JAVA_BYTE, at) == close) {
            at++;
            return node(kind, 0, 0);
        }
        int perChild = kind == OBJECT ? 2 : 1;
        MemorySegment children = memory.allocate(JAVA_LONG, 4L * perChild);
        int count = 0;
        while (true) {
            if ((count + 1L) * perChild * 8 > children.byteSize()) {
                MemorySegment larger = memory.allocate(JAVA_LONG, children.byteSize() / 8 * 2);
                MemorySegment.copy(children, 0, larger, 0, children.byteSize());
                children = larger;
            }
            if (kind == OBJECT) {
                skipWhitespace();
                if (at >= text.byteSize() || text.get(JAVA_BYTE, at) != '"') {
                    throw malformed("expected a member name");
                }
                children.setAtIndex(JAVA_LONG, 2L * count, string());
                expect(':');
                children.setAtIndex(JAVA_LONG, 2L * count + 1, value(depth + 1));
            } else {
                children.setAtIndex(JAVA_LONG, count, value(depth + 1));
            }
            count++;
            skipWhitespace();
            byte c = at < text.byteSize() ? text.get(JAVA_BYTE, at++) : 0;
            if (c == close) {
                return node(kind, count, children.address());
            }
            if (c != ',') {
                throw malformed("expected ',' or '" + close + "'");
            }
        }
    }

    private long string() {
        long start = ++at;
        boolean escaped = false;
        while (true) {
            if (at >= text.byteSize()) {
                throw malformed("unterminated string");
            }
            byte c = text.get(JAVA_BYTE, at);
            if (c == '"') {
                break;
            }
            if (c == '\\') {
                escaped = true;
                at++;
            } else if (c >= 0 && c < 0x20) {
                throw malformed("control character in a string");
            }
            at++;
        }
        long end = at++;
        if (end == start) {
            return node(STRING, 0, 0);
        }
        MemorySegment bytes = memory.allocate(end - start, 1);
        long length = escaped ? unescape(start, end, bytes) : copy(start, end, bytes);
        return node(STRING, (int) length, bytes.address());
    }

    /** Copies short strings (most keys and values) byte by byte: a bulk copy costs more below ~32 bytes. */
    private long copy(long start, long end, MemorySegment into) {
        long length = end - start;
        if (length < 32) {
            for (long i = 0; i < length; i++) {
                into.set(JAVA_BYTE, i, text.get(JAVA_BYTE, start + i));
            }
        } else {
            MemorySegment.copy(text, start, into, 0, length);
        }
        return length;
    }

    /** Decodes escapes into {@code into}, which is never too small: no escape is shorter than what it encodes. */
    private long unescape(long start, long end, MemorySegment into) {
        long out = 0;
        for (long i = start; i < end; i++) {
            byte c = text.get(JAVA_BYTE, i);
            if (c != '\\') {
                into.set(JAVA_BYTE, out++, c);
                continue;
            }
            byte e = text.get(JAVA_BYTE, ++i);
            switch (e) {
                case '"', '\\', '/' -> into.set(JAVA_BYTE, out++, e);
                case 'b' -> into.set(JAVA_BYTE, out++, (byte) '\b');
                case 'f' -> into.set(JAVA_BYTE, out++, (byte) '\f');
                case 'n' -> into.set(JAVA_BYTE, out++, (byte) '\n');
                case 'r' -> into.set(JAVA_BYTE, out++, (byte) '\r');
                case 't' -> into.set(JAVA_BYTE, out++, (byte) '\t');
                case 'u' -> {
                    int cp = hex4(i + 1, end);
                    i += 4;
                    if (Character.isHighSurrogate((char) cp) && i + 6 < end && text.get(JAVA_BYTE, i + 1) == '\\'
                            && text.get(JAVA_BYTE, i + 2) == 'u') {
                        int low = hex4(i + 3, end);
                        if (Character.isLowSurrogate((char) low)) {
                            cp = Character.toCodePoint((char) cp, (char) low);
                            i += 6;
                        }
                    }
                    out = utf8(cp, into, out);
                }
                default -> {
                    at = i;
                    throw malformed("bad escape");
                }
            }
        }
        return out;
    }

    private int hex4(long from, long end) {
        if (from + 4 > end) {
            at = from;
            throw malformed("short \\u escape");
        }
        int v = 0;
        for (long i = from; i < from + 4; i++) {
            int d = Character.digit(text.get(JAVA_BYTE, i), 16);
            if (d < 0) {
                at = i;
                throw malformed("bad hex digit");
            }
            v = v * 16 + d;
        }
        return v;
    }

    private static long utf8(int cp, MemorySegment into, long out) {
        if (cp < 0x80) {
            into.set(JAVA_BYTE, out++, (byte) cp);
        } else if (cp < 0x800) {
            into.set(JAVA_BYTE, out++, (byte) (0xC0 | cp >> 6));
            into.set(JAVA_BYTE, out++, (byte) (0x80 | cp & 0x3F));
        } else if (cp < 0x10000) {
            into.set(JAVA_BYTE, out++, (byte) (0xE0 | cp >> 12));
            into.set(JAVA_BYTE, out++, (byte) (0x80 | cp >> 6 & 0x3F));
            into.set(JAVA_BYTE, out++, (byte) (0x80 | cp & 0x3F));
        } else {
            into.set(JAVA_BYTE, out++, (byte) (0xF0 | cp >> 18));
            into.set(JAVA_BYTE, out++, (byte) (0x80 | cp >> 12 & 0x3F));
            into.set(JAVA_BYTE, out++, (byte) (0x80 | cp >> 6 & 0x3F));
            into.set(JAVA_BYTE, out++, (byte) (0x80 | cp & 0x3F));
        }
        return out;
    }

    private long literal(String word, int kind) {
        for (int i = 0; i < word.length(); i++) {
            if (at + i >= text.byteSize() || text.get(JAVA_BYTE, at + i) != word.charAt(i)) {
                throw malformed("expected " + word);
            }
        }
        at += word.length();
        return node(kind, 0, 0);
    }

    /** A number; exact (correctly rounded) when it has at most 18 digits and a small exponent. */
    private long number() {
        long start = at;
        boolean negative = peek() == '-';
        if (negative) {
            at++;
        }
        long mantissa = 0;
        int digits = 0;
        int exponent = 0;
        long from = at;
        while (isDigit(peek())) {
            mantissa = mantissa * 10 + (text.get(JAVA_BYTE, at++) - '0');
            digits++;
        }
        if (at == from) {
            throw malformed("expected a value");
        }
        if (peek() == '.') {
            from = ++at;
            while (isDigit(peek())) {
                mantissa = mantissa * 10 + (text.get(JAVA_BYTE, at++) - '0');
                digits++;
                exponent--;
            }
            if (at == from) {
                throw malformed("expected a digit after '.'");
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            at++;
            boolean negativeExponent = peek() == '-';
            if (negativeExponent || peek() == '+') {
                at++;
            }
            long e = 0;
            from = at;
            while (isDigit(peek())) {
                e = Math.min(e * 10 + (text.get(JAVA_BYTE, at++) - '0'), 100_000);
            }
            if (at == from) {
                throw malformed("expected an exponent");
            }
            exponent += (int) (negativeExponent ? -e : e);
        }
        double value;
        if (digits <= 18 && mantissa < (1L << 53) && Math.abs(exponent) <= 22) {
            value = exponent >= 0 ? mantissa * POWERS_OF_TEN[exponent] : mantissa / POWERS_OF_TEN[-exponent];
            value = negative ? -value : value;
        } else {
            byte[] raw = text.asSlice(start, at - start).toArray(JAVA_BYTE);
            value = Double.parseDouble(new String(raw, StandardCharsets.US_ASCII));
        }
        return node(NUMBER, 0, Double.doubleToRawLongBits(value));
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private byte peek() {
        return at < text.byteSize() ? text.get(JAVA_BYTE, at) : 0;
    }

    private void expect(char c) {
        skipWhitespace();
        if (peek() != c) {
            throw malformed("expected '" + c + "'");
        }
        at++;
    }

    private void skipWhitespace() {
        while (at < text.byteSize()) {
            byte c = text.get(JAVA_BYTE, at);
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return;
            }
            at++;
        }
    }

    private IllegalArgumentException malformed(String what) {
        return new IllegalArgumentException("malformed JSON at byte " + at + ": " + what);
    }
}
