package dev.pagewise.tests;

import dev.pagewise.core.BumpArena;
import dev.pagewise.core.HugePageAligned;
import dev.pagewise.core.ResettableWrappedArena;
import dev.pagewise.os.MapOptions;
import dev.pagewise.os.linux.MmapBacked;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HugePageAlignedTest {

    static final long HUGE = HugePageAligned.DEFAULT_HUGE_PAGE_SIZE;

    @Test
    void blocksOfAHugePageOrMoreShouldStartOnAHugePage() {
        try (MmapBacked region = MmapBacked.map(16 << 20, MapOptions.DEFAULT.withHugePages());
             BumpArena bump = BumpArena.over(region)) {
            ResettableWrappedArena<HugePageAligned> arena = HugePageAligned.over(bump);
            MemorySegment small = arena.allocate(100, 8);
            MemorySegment large = arena.allocate(3 << 20, 8);
            MemorySegment next = arena.allocate(64, 16);
            MemorySegment exact = arena.allocate(HUGE, 1);
            assertEquals(0, large.address() % HUGE, "large block on a huge page");
            assertEquals(0, exact.address() % HUGE);
            assertTrue(next.address() % HUGE != 0 && next.address() % 16 == 0, "small blocks keep their own alignment");
            assertEquals(small.address() + 100, Math.min(small.address() + 100, large.address()));
            assertEquals(3 << 20, large.byteSize(), "the size is what was asked");
            MemorySegment aligned4m = arena.allocate(HUGE, 4 << 20);
            assertEquals(0, aligned4m.address() % (4 << 20), "a larger alignment asked for is kept");
            arena.reset();
            assertEquals(0, arena.allocate(HUGE, 1).address() % HUGE);
        }
    }

    /** Against the model "max(asked, huge page) from a huge page up, as asked below", with a 4 KiB huge page. */
    @Property(tries = 200)
    void everyBlockShouldHaveTheModelsAlignment(@ForAll @LongRange(min = 0, max = 10_000) long size,
                                                @ForAll @IntRange(min = 0, max = 14) int alignmentLog) {
        long alignment = 1L << alignmentLog;
        long huge = 4096;
        try (BumpArena bump = BumpArena.over(dev.pagewise.core.NativeBacked.allocate(1 << 20))) {
            HugePageAligned aligned = HugePageAligned.over((dev.pagewise.core.Allocator) bump, huge);
            MemorySegment first = bump.allocate(1, 1);
            MemorySegment block = aligned.allocate(size, alignment);
            long expected = size >= huge ? Math.max(alignment, huge) : alignment;
            assertEquals(0, block.address() % expected, () -> size + " bytes at " + alignment);
            assertEquals(size, block.byteSize());
            if (size < huge && alignment < huge) {
                assertTrue(block.address() - first.address() <= alignment,
                        "a small block is not pushed to the next huge page");
            }
        }
    }

    @Test
    void badArgumentsShouldBeRejectedNamingThem() {
        try (BumpArena bump = BumpArena.over(MmapBacked.map(1 << 20))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HugePageAligned.over((dev.pagewise.core.Allocator) bump, 3000));
            assertTrue(e.getMessage().contains("3000"), e.getMessage());
            HugePageAligned aligned = HugePageAligned.over((dev.pagewise.core.Allocator) bump, 4096);
            assertThrows(IllegalArgumentException.class, () -> aligned.allocate(8192, 3), "the inner allocator's check");
            assertThrows(IllegalArgumentException.class, () -> aligned.allocate(-1, 8));
        }
    }
}
