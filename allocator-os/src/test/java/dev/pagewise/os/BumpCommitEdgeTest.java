package dev.pagewise.os;

import dev.pagewise.core.BumpArena;
import dev.pagewise.os.linux.MmapBacked;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A bump over a lazily committed range, at the edge of what is committed: a block that ends there commits
 * nothing, one byte more commits past it, and every byte handed out can be written.
 */
class BumpCommitEdgeTest {

    @Test
    void aBlockEndingAtTheCommittedEndShouldCommitNothingAndOneByteMoreShouldCommit() {
        try (MmapBacked range = MmapBacked.map(8 << 20, MapOptions.DEFAULT.withLazyCommit());
             BumpArena arena = BumpArena.over(range)) {
            MemorySegment first = arena.allocate(1, 1);
            first.set(JAVA_BYTE, 0, (byte) 1);
            long committed = range.committed();
            assertTrue(committed > 1 && committed < range.byteSize(), "a lazy range commits a prefix: " + committed);

            MemorySegment toEdge = arena.allocate(committed - 1, 1);
            toEdge.set(JAVA_BYTE, toEdge.byteSize() - 1, (byte) 2);
            assertEquals(committed, range.committed(), "a block ending at the committed end commits nothing");

            MemorySegment past = arena.allocate(1, 1);
            assertTrue(range.committed() > committed, "one byte past it commits: " + range.committed());
            past.set(JAVA_BYTE, 0, (byte) 3);
            assertEquals(3, past.get(JAVA_BYTE, 0));
        }
    }
}
