package dev.pagewise.os;

import dev.pagewise.core.BumpArena;
import dev.pagewise.core.StackArena;
import dev.pagewise.os.linux.MmapBacked;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shrinking a large last block gives its tail back through the reset policy, as a large pop does: pages of the
 * tail that were never written are not faulted in to be zeroed. Resident bytes measured with mincore.
 */
class ShrinkResidentTest {

    private static final long MIB = 1 << 20;

    @Test
    void shrinkingALargeLastBlockShouldNotFaultInItsUnwrittenPages() {
        try (MmapBacked range = MmapBacked.map(16 * MIB);
             BumpArena arena = BumpArena.over(range)) {
            MemorySegment block = arena.allocate(8 * MIB, 4096);
            block.set(JAVA_BYTE, 0, (byte) 1);
            block.set(JAVA_BYTE, 8 * MIB - 1, (byte) 2);

            MemorySegment shrunk = arena.reallocate(block, 1);

            assertEquals(block.address(), shrunk.address(), "in place");
            assertEquals(1, shrunk.get(JAVA_BYTE, 0));
            // two pages written: 8 KiB, or two transparent huge pages where the system gives every mapping them;
            // zeroing the tail in place made all 8 MiB resident
            long resident = range.residentBytes(0, range.byteSize());
            assertTrue(resident <= 4 * MIB, resident + " bytes resident");
            MemorySegment next = arena.allocate(8 * MIB, 8);
            assertEquals(-1, next.mismatch(MemorySegment.ofArray(new byte[(int) next.byteSize()])),
                    "the tail reads zero again");
        }
    }

    @Test
    void aFrameShouldShrinkItsLargeLastBlockThroughThePolicyToo() {
        try (MmapBacked range = MmapBacked.map(16 * MIB);
             StackArena stack = StackArena.over(range);
             StackArena.Frame frame = stack.push()) {
            MemorySegment block = frame.allocate(8 * MIB, 4096);
            block.set(JAVA_BYTE, 8 * MIB - 1, (byte) 2);

            MemorySegment shrunk = frame.reallocate(block, 4096);

            assertEquals(block.address(), shrunk.address());
            long resident = range.residentBytes(0, range.byteSize());
            assertTrue(resident <= 4 * MIB, resident + " bytes resident");
            assertEquals(0, frame.allocate(8 * MIB - 4096, 8).get(JAVA_BYTE, 8 * MIB - 4096 - 1), "zero again");
        }
    }
}
