package dev.pagewise.core;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How {@link SizeClassed} and {@link ConcurrentSizeClassed} cut their range into {@link Shares}, one per slab, so
 * that an address finds its slab by one table look-up: every share whole granules, a small table that names the
 * right share for every byte, little of the range lost.
 */
class SharesProperties {

    @Property
    void everyShareShouldBeWholeGranulesInASmallTableLosingLittle(
            @ForAll @LongRange(min = 1 << 12, max = 1L << 46) long rangeBytes,
            @ForAll @LongRange(min = 1, max = 1 << 17) long parts) {
        Shares cut = Shares.of(rangeBytes, parts);
        long granule = 1L << cut.granuleShift();
        assertTrue(granule >= 4096, "at least a page: " + granule);
        assertEquals(0, cut.size() % granule, "whole granules: " + cut);
        assertEquals(parts * cut.size(), cut.end());
        assertTrue(cut.end() <= rangeBytes, "inside the range: " + cut);
        if (cut.size() == 0) {
            return;
        }
        assertTrue(cut.size() / granule <= 127, cut.size() / granule + " granules a share: " + cut);
        long lost = rangeBytes / parts - cut.size();
        assertTrue(lost < 4096 || lost <= rangeBytes / parts / 64,
                "rounding lost " + lost + " of a share of " + rangeBytes / parts);
    }

    /** The table against the model of a division: the first and last byte of every granule name the same share. */
    @Property(tries = 300)
    void theTableShouldNameTheShareOfEveryGranule(
            @ForAll @LongRange(min = 1 << 12, max = 1L << 40) long rangeBytes,
            @ForAll @LongRange(min = 1, max = 512) long parts) {
        Shares cut = Shares.of(rangeBytes, parts);
        if (cut.size() == 0) {
            return;
        }
        Integer[] shares = new Integer[(int) parts];
        for (int i = 0; i < shares.length; i++) {
            shares[i] = i;
        }
        Integer[] table = cut.byGranule(shares);
        assertEquals(cut.end() >>> cut.granuleShift(), table.length);
        long granule = 1L << cut.granuleShift();
        for (long offset = 0; offset < cut.end(); offset += granule) {
            for (long at : new long[] {offset, offset + granule - 1}) {
                assertSame(shares[(int) (at / cut.size())], table[(int) (at >>> cut.granuleShift())],
                        "byte " + at + " of " + cut);
            }
        }
    }

    /**
     * Every slot of every class, with shares of just over 512 KiB (granules of 8 KiB, so each share's last granule
     * is cut into), is found by its address, then freed.
     */
    @Test
    void everySlotOfEveryClassShouldBeFoundByItsAddress() {
        long[] classes = SizeClassed.classSizes(32 << 10);
        long rangeBytes = classes.length * ((512L << 10) + 12_345);
        try (NativeBacked range = NativeBacked.allocate(rangeBytes);
             SizeClassed sc = SizeClassed.builder(range).maxClassSize(32 << 10).build()) {
            Shares cut = Shares.of(rangeBytes, classes.length);
            assertTrue(cut.granuleShift() > 12 && cut.size() % (32 << 10) != 0, "the case under test: " + cut);
            assertTrue(sc.capacity() >= rangeBytes - rangeBytes / 64, "capacity " + sc.capacity());
            List<MemorySegment> blocks = new ArrayList<>();
            for (long size : classes) {
                MemorySegment block;
                while ((block = sc.tryAllocate(size, 8)) != null) {
                    assertEquals(size, sc.usableSize(block), "the class of a block of " + size + " B");
                    assertTrue(sc.owns(block));
                    blocks.add(block);
                }
            }
            assertEquals(blocks.size(), sc.liveBlocks());
            for (MemorySegment block : blocks) {
                sc.deallocate(block);
            }
            assertEquals(0, sc.liveBlocks());
        }
    }
}
