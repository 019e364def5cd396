package dev.pagewise.core.internal;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

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
}
