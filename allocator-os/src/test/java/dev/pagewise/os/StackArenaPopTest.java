package dev.pagewise.os;

import dev.pagewise.core.Protection;
import dev.pagewise.core.StackArena;
import dev.pagewise.os.linux.MmapBacked;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A frame whose pop fails to restore its memory is popped all the same: the stack goes on under its parent. */
class StackArenaPopTest {

    private static final long KIB = 1 << 10;

    @Test
    void aLargePopThatFailsShouldStillPopTheFrameAndLeaveItsBytesToTheParent() {
        try (MmapBacked range = MmapBacked.map(1 << 20);
             StackArena stack = StackArena.over(range)) {
            StackArena.Frame outer = stack.push();
            StackArena.Frame inner = stack.push();
            MemorySegment block = inner.allocate(128 * KIB, 4096);
            block.fill((byte) 1);
            // the block is the stack's first, at offset 0; a page of it the reset policy may not write makes
            // the pop of more than 64 KiB, which goes through the policy, refuse
            range.protect(64 * KIB, 4096, Protection.READ);

            assertThrows(IllegalStateException.class, inner::close);
            assertEquals(1, stack.depth(), "popped all the same");
            assertThrows(IllegalStateException.class, () -> block.get(JAVA_BYTE, 0), "its scope closed");
            IllegalStateException again = assertThrows(IllegalStateException.class, inner::close);
            assertEquals("frame is closed", again.getMessage());
            MemorySegment next = outer.allocate(64, 8);
            assertEquals(0, next.get(JAVA_BYTE, 0));
            assertTrue(next.address() >= block.address() + block.byteSize(),
                    "the failed frame's bytes stay in use until the parent pops");

            range.protect(64 * KIB, 4096, Protection.READ_WRITE);
            outer.close();
            assertEquals(0, stack.depth());
            try (StackArena.Frame frame = stack.push()) {
                MemorySegment reused = frame.allocate(256 * KIB, 4096);
                assertEquals(-1, reused.mismatch(MemorySegment.ofArray(new byte[(int) reused.byteSize()])),
                        "every byte zero again after the parent's pop");
            }
        }
    }
}
