package dev.pagewise.core.internal;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ZeroingProperties {

    /** Against the model of a byte array: the part reads zero, every byte around it keeps its value. */
    @Property(tries = 300)
    void zeroesExactlyThePartAtAnyOffsetAndSize(@ForAll @IntRange(max = 20_000) int offset,
                                                @ForAll @IntRange(max = 40_000) int size) {
        try (Arena arena = Arena.ofConfined()) {
            int total = offset + size + 4099;
            MemorySegment whole = arena.allocate(total);
            byte[] model = new byte[total];
            for (int i = 0; i < total; i++) {
                model[i] = (byte) (i * 31 + 7 | 1);
                whole.set(JAVA_BYTE, i, model[i]);
            }
            java.util.Arrays.fill(model, offset, offset + size, (byte) 0);
            MemorySegment copy = arena.allocate(total).copyFrom(whole);
            MemorySegment part = whole.asSlice(offset, size);
            assertSame(part, Zeroing.zero(part));
            assertEquals(-1, whole.mismatch(MemorySegment.ofArray(model)));
            Zeroing.zero(copy, offset, size);
            assertEquals(-1, copy.mismatch(MemorySegment.ofArray(model)), "by offset and length");
            assertThrows(IndexOutOfBoundsException.class, () -> Zeroing.zero(copy, offset, total - offset + 1));
            assertEquals(-1, copy.mismatch(MemorySegment.ofArray(model)), "nothing written by a refused call");
        }
    }

    /** Either side of where the loop hands very large parts to the fill, in pieces, at an odd offset and length. */
    @Test
    void zeroesExactlyThePartEitherSideOfWhereTheFillTakesOver() {
        for (long size : new long[] {Zeroing.FILL_FROM - 13, Zeroing.FILL_FROM, Zeroing.FILL_FROM + 13, 3 * Zeroing.FILL_FROM - 5}) {
            try (Arena arena = Arena.ofConfined()) {
                long offset = 4099;
                MemorySegment whole = arena.allocate(offset + size + 4099).fill((byte) 5);
                assertThrows(IndexOutOfBoundsException.class, () -> Zeroing.zero(whole, 1, whole.byteSize()));
                assertEquals(whole.byteSize(), count(whole, (byte) 5), "nothing written by a refused call");
                Zeroing.zero(whole, offset, size);
                MemorySegment zeros = arena.allocate(size);
                assertEquals(-1, whole.asSlice(offset, size).mismatch(zeros), "the part, " + size + " bytes");
                assertEquals(2 * 4099, count(whole, (byte) 5), "every byte around the part keeps its value");
            }
        }
    }

    private static long count(MemorySegment segment, byte value) {
        long n = 0;
        for (long i = 0; i < segment.byteSize(); i++) {
            n += segment.get(JAVA_BYTE, i) == value ? 1 : 0;
        }
        return n;
    }
}
