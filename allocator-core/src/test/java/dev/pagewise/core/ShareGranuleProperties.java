package dev.pagewise.core;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The granule {@link SizeClassed} and {@link ConcurrentSizeClassed} cut their shares into, so that an address finds
 * its slab by one table look-up: every share a whole number of granules, a small table, little of the range lost.
 */
class ShareGranuleProperties {

    @Property
    void everyShareShouldBeWholeGranulesInASmallTableLosingLittle(
            @ForAll @LongRange(min = 1 << 12, max = 1L << 46) long rangeBytes,
            @ForAll @LongRange(min = 1, max = 4096) long parts) {
        long granule = SizeClassed.granule(rangeBytes, parts);
        assertEquals(1, Long.bitCount(granule), "a power of two: " + granule);
        assertTrue(granule >= 4096, "at least a page: " + granule);
        long share = rangeBytes / parts / granule * granule;
        if (share == 0) {
            return;
        }
        assertTrue(share / granule <= 128, share / granule + " granules a share of " + share);
        long lost = rangeBytes / parts - share;
        assertTrue(lost < 4096 || lost <= rangeBytes / parts / 64,
                "rounding lost " + lost + " of a share of " + rangeBytes / parts);
    }

    @Test
    void everyClassShouldBeFoundByAddressWhenTheGranuleIsLargerThanAPage() {
        long rangeBytes = 64L << 20;
        try (NativeBacked range = NativeBacked.allocate(rangeBytes)) {
            SizeClassed sc = SizeClassed.builder(range).maxClassSize(32 << 10).build();
            long[] classes = sc.classSizes();
            assertTrue(SizeClassed.granule(rangeBytes, classes.length) > 4096, "the case under test");
            assertTrue(sc.capacity() >= rangeBytes - rangeBytes / 64, "capacity " + sc.capacity());
            List<MemorySegment> blocks = new ArrayList<>();
            for (long size : classes) {
                MemorySegment block = sc.allocate(size, 8);
                assertEquals(size, sc.usableSize(block), "the class of a block of " + size + " B");
                assertTrue(sc.owns(block));
                blocks.add(block);
            }
            for (MemorySegment block : blocks) {
                sc.deallocate(block);
            }
            assertEquals(0, sc.liveBlocks());
            sc.close();
        }
    }
}
