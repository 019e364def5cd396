package dev.pagewise.tests;

import dev.pagewise.core.AllocationFailedException;
import dev.pagewise.core.Allocator;
import dev.pagewise.core.FixedRange;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A plain Java model of live blocks, checked after every step: no two live blocks overlap, each is
 * aligned, inside the range and as large as asked, fresh blocks read zero, a failed request
 * leaves the allocator unchanged, and a resized block keeps its prefix.
 */
public final class AllocatorModel {

    /** A live block: its segment and the byte it was filled with. */
    public record Block(MemorySegment segment, byte fill) {
    }

    private final FixedRange range;
    private final List<Block> live = new ArrayList<>();
    private final Random random;
    private MemorySegment lastResized;

    public AllocatorModel(FixedRange range, long seed) {
        this.range = range;
        this.random = new Random(seed);
    }

    public List<Block> live() {
        return live;
    }

    /**
     * Allocates through {@code allocator} (alternately {@code allocate} and {@code tryAllocate}) and
     * checks the block; on failure checks that a retry through the other method fails the same way.
     *
     * @return whether the allocation succeeded
     */
    public boolean allocate(Allocator allocator, long size, long alignment, boolean inRange) {
        MemorySegment segment = allocator.tryAllocate(size, alignment);
        if (segment == null) {
            AllocationFailedException e = assertThrows(AllocationFailedException.class,
                    () -> allocator.allocate(size, alignment), "tryAllocate said full, allocate must throw");
            assertEquals(size, e.byteSize());
            assertNull(allocator.tryAllocate(size, alignment), "a failed request changes nothing");
            return false;
        }
        assertNotNull(segment);
        assertEquals(size, segment.byteSize(), "size");
        assertEquals(0, segment.address() % alignment, () -> "alignment " + alignment + " of 0x"
                + Long.toHexString(segment.address()));
        if (inRange) {
            assertTrue(size == 0 || range.contains(segment), "inside the range");
        }
        assertEquals(-1L, segment.mismatch(MemorySegment.ofArray(new byte[(int) size])), "fresh block reads zero");
        for (Block b : live) {
            if (overlaps(b.segment(), segment)) {
                fail("block 0x" + Long.toHexString(segment.address()) + "+" + size + " overlaps live 0x"
                        + Long.toHexString(b.segment().address()) + "+" + b.segment().byteSize());
            }
        }
        byte fill = (byte) (1 + random.nextInt(255));
        segment.fill(fill);
        live.add(new Block(segment, fill));
        return true;
    }

    /**
     * Resizes a live block from index {@code from} on (the last one half of the time) through {@code allocator}
     * and checks the result: the requested size, the first {@code min(old, new)} bytes kept, the growth reading
     * zero when {@code zeroes}, owned, overlapping no other live block; a failed resize must leave the block live.
     * A block that stays in place keeps its place in the list; one that moves becomes the newest.
     *
     * @return the old block if the resize succeeded (the new one replaced it), else {@code null}
     */
    public Block reallocate(Allocator allocator, long newSize, int from, boolean zeroes) {
        if (live.size() <= from) {
            return null;
        }
        int i = random.nextBoolean() ? live.size() - 1 : from + random.nextInt(live.size() - from);
        Block b = live.get(i);
        MemorySegment old = b.segment();
        long oldSize = old.byteSize();
        MemorySegment resized;
        try {
            resized = allocator.reallocate(old, newSize);
        } catch (AllocationFailedException e) {
            assertTrue(allocator.owns(old), "a failed resize leaves the block live");
            return null;
        }
        assertEquals(newSize, resized.byteSize(), "resized size");
        assertTrue(allocator.owns(resized), "the resized block is owned");
        long keep = Math.min(oldSize, newSize);
        byte[] prefix = new byte[(int) keep];
        java.util.Arrays.fill(prefix, b.fill());
        assertEquals(-1L, resized.asSlice(0, keep).mismatch(MemorySegment.ofArray(prefix)), "copied prefix");
        if (zeroes && newSize > oldSize) {
            assertEquals(-1L, resized.asSlice(oldSize).mismatch(MemorySegment.ofArray(new byte[(int) (newSize - oldSize)])),
                    "growth reads zero");
        }
        live.remove(i);
        for (Block other : live) {
            if (overlaps(other.segment(), resized)) {
                fail("resized block 0x" + Long.toHexString(resized.address()) + "+" + newSize + " overlaps live 0x"
                        + Long.toHexString(other.segment().address()) + "+" + other.segment().byteSize());
            }
        }
        resized.fill(b.fill());
        lastResized = resized;
        if (resized.address() == old.address()) {
            live.add(i, new Block(resized, b.fill()));
        } else {
            live.add(new Block(resized, b.fill()));
        }
        return b;
    }

    /** {@return the block the last successful {@link #reallocate} returned} */
    public MemorySegment lastResized() {
        return lastResized;
    }

    /** Frees a random live block through {@code allocator}; returns it, or null if none. */
    public Block freeOne(Allocator allocator) {
        if (live.isEmpty()) {
            return null;
        }
        Block b = live.remove(random.nextInt(live.size()));
        allocator.deallocate(b.segment());
        return b;
    }

    /** Checks that every live block still holds its fill byte: nothing else wrote over it. */
    public void checkLiveIntact() {
        for (Block b : live) {
            long size = b.segment().byteSize();
            for (long i = 0; i < size; i += Math.max(1, size / 16)) {
                assertEquals(b.fill(), b.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, i), "live block changed");
            }
        }
    }

    public void forgetAll() {
        live.clear();
    }

    static boolean overlaps(MemorySegment a, MemorySegment b) {
        if (a.byteSize() == 0 || b.byteSize() == 0) {
            return false;
        }
        return a.address() < b.address() + b.byteSize() && b.address() < a.address() + a.byteSize();
    }
}
