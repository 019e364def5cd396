package dev.pagewise.testkit;

import dev.pagewise.core.Allocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link Allocator} contract: bad requests rejected with state unchanged, aligned blocks that never
 * overlap and read zero, {@code tryAllocate} that returns {@code null} when full, ownership that matches what
 * was handed out, frees that are either exact ({@link Allocator#freesIndividually()}) or ignored,
 * {@link Allocator#reallocate} that keeps the prefix, zeroes the growth (when the allocator zeroes) and leaves
 * a block whose growth failed as it was, {@link Allocator#allocateZeroed} that reads zero, and
 * {@code reallocate} and {@code usableSize} that throw {@link IllegalStateException} once
 * {@link #close(Allocator)} closed the allocator.
 * Extend it and implement {@link #create()}; the allocator must serve blocks of 8 to 256 bytes aligned to 8.
 */
public abstract class AllocatorContract {

    private Allocator allocator;
    private boolean closedByTest;

    /** Creates this suite; JUnit calls it. */
    protected AllocatorContract() {
    }

    /** {@return a new allocator over fresh memory, closed by {@link #close(Allocator)} after each test} */
    protected abstract Allocator create();

    /**
     * Closes what {@link #create()} made; the default closes the allocator if it is {@link AutoCloseable}.
     *
     * @param allocator the allocator {@link #create()} made for the test that just ran
     * @throws Exception if closing fails; the test then fails
     */
    protected void close(Allocator allocator) throws Exception {
        if (allocator instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    /** {@return whether memory handed out reads zero; the default says yes} */
    protected boolean zeroes() {
        return true;
    }

    @BeforeEach
    final void open() {
        closedByTest = false;
        allocator = create();
    }

    @AfterEach
    final void closeIt() throws Exception {
        if (!closedByTest) {
            close(allocator);
        }
    }

    @Test
    void badRequestsShouldBeRejectedAndChangeNothing() {
        MemorySegment before = allocator.allocate(8, 8);
        assertThrows(IllegalArgumentException.class, () -> allocator.allocate(-1, 8));
        assertThrows(IllegalArgumentException.class, () -> allocator.allocate(8, 3));
        assertThrows(IllegalArgumentException.class, () -> allocator.allocate(8, 0));
        assertThrows(IllegalArgumentException.class, () -> allocator.tryAllocate(-1, 8));
        assertThrows(IllegalArgumentException.class, () -> allocator.tryAllocate(8, -8));
        assertTrue(allocator.owns(before));
        MemorySegment after = allocator.allocate(8, 8);
        assertTrue(after.address() != before.address() || after.byteSize() == 0);
    }

    @Test
    void blocksShouldBeAlignedDisjointAndReadZero() {
        List<MemorySegment> blocks = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            long size = 8L << (i % 6);
            MemorySegment s = allocator.allocate(size, 8);
            assertEquals(size, s.byteSize());
            assertEquals(0, s.address() % 8);
            if (zeroes()) {
                assertEquals(-1, s.mismatch(MemorySegment.ofArray(new byte[(int) size])), "block " + i + " reads zero");
            }
            s.fill((byte) i);
            blocks.add(s);
        }
        blocks.sort(Comparator.comparingLong(MemorySegment::address));
        for (int i = 1; i < blocks.size(); i++) {
            MemorySegment a = blocks.get(i - 1);
            assertTrue(a.address() + a.byteSize() <= blocks.get(i).address(), "blocks overlap");
        }
        blocks.forEach(b -> assertTrue(allocator.owns(b)));
    }

    @Test
    void nullShouldBeRejectedByFreeAndOwnedByNobody() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> allocator.deallocate(null));
        assertEquals("segment", e.getMessage());
        assertFalse(allocator.owns(null));
    }

    @Test
    void tryAllocateShouldReturnNullForTheImpossibleAndAllocateShouldThrow() {
        assertNull(allocator.tryAllocate(Long.MAX_VALUE, 8));
        assertThrows(RuntimeException.class, () -> allocator.allocate(Long.MAX_VALUE, 8));
        assertTrue(allocator.allocate(8, 8).byteSize() == 8, "still works");
    }

    @Test
    void freesShouldBeExactOrIgnoredAndForeignSegmentsNeverOwned() {
        MemorySegment mine = allocator.allocate(64, 8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment foreign = arena.allocate(64, 8);
            foreign.fill((byte) 9);
            assertFalse(allocator.owns(foreign));
            if (allocator.freesIndividually()) {
                assertThrows(IllegalArgumentException.class, () -> allocator.deallocate(foreign));
                allocator.deallocate(mine);
                assertFalse(allocator.owns(mine), "a freed block is no longer owned");
                assertThrows(IllegalArgumentException.class, () -> allocator.deallocate(mine), "double free");
            } else {
                allocator.deallocate(foreign);
                allocator.deallocate(mine);
            }
            assertEquals(-1, foreign.mismatch(MemorySegment.ofArray(filled(64, 9))), "a foreign free touches nothing");
        }
    }

    @Test
    void reallocateShouldKeepThePrefixAndReadZeroPastIt() {
        MemorySegment a = allocator.allocate(24, 8);
        a.fill((byte) 0x3C);
        MemorySegment other = allocator.allocate(16, 8);
        other.fill((byte) 0x11);
        MemorySegment grown = allocator.reallocate(a, 200);
        assertEquals(200, grown.byteSize());
        assertEquals(-1, grown.asSlice(0, 24).mismatch(MemorySegment.ofArray(filled(24, 0x3C))), "prefix kept");
        if (zeroes()) {
            assertEquals(-1, grown.asSlice(24).mismatch(MemorySegment.ofArray(new byte[176])), "grown tail reads zero");
        }
        assertEquals(-1, other.mismatch(MemorySegment.ofArray(filled(16, 0x11))), "another block untouched");
        assertTrue(allocator.owns(grown));
        assertTrue(allocator.usableSize(grown) >= 200);
        MemorySegment shrunk = allocator.reallocate(grown, 8);
        assertEquals(8, shrunk.byteSize());
        assertEquals(-1, shrunk.mismatch(MemorySegment.ofArray(filled(8, 0x3C))), "prefix kept by a shrink");
        assertTrue(allocator.owns(shrunk));
    }

    @Test
    void reallocateShouldRejectBadInputAndAFailedGrowShouldLeaveTheBlock() {
        MemorySegment a = allocator.allocate(32, 8);
        a.fill((byte) 5);
        assertEquals("segment", assertThrows(NullPointerException.class, () -> allocator.reallocate(null, 8)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> allocator.reallocate(a, -1));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment foreign = arena.allocate(32, 8);
            assertThrows(IllegalArgumentException.class, () -> allocator.reallocate(foreign, 64));
            assertThrows(IllegalArgumentException.class, () -> allocator.usableSize(foreign));
        }
        assertThrows(NullPointerException.class, () -> allocator.usableSize(null));
        assertThrows(RuntimeException.class, () -> allocator.reallocate(a, Long.MAX_VALUE - 4096));
        assertTrue(allocator.owns(a), "a failed grow leaves the block live");
        assertEquals(-1, a.mismatch(MemorySegment.ofArray(filled(32, 5))), "and unchanged");
        assertTrue(allocator.usableSize(a) >= 32);
    }

    @Test
    void reallocateAndUsableSizeShouldThrowIllegalStateOnceClosed() throws Exception {
        MemorySegment a = allocator.allocate(32, 8);
        closedByTest = true;
        close(allocator);
        // a closed allocator owns nothing, but the mistake is the use after close, not the segment
        assertThrows(IllegalStateException.class, () -> allocator.reallocate(a, 64));
        assertThrows(IllegalStateException.class, () -> allocator.reallocate(a, 8));
        assertThrows(IllegalStateException.class, () -> allocator.usableSize(a));
    }

    @Test
    void allocateZeroedShouldReadZero() {
        for (int i = 0; i < 8; i++) {
            MemorySegment s = allocator.allocate(64, 8);
            s.fill((byte) 0x7E);
            allocator.deallocate(s);
            MemorySegment z = allocator.allocateZeroed(64, 8);
            assertEquals(-1, z.mismatch(MemorySegment.ofArray(new byte[64])), "allocateZeroed reads zero");
            z.fill((byte) 0x7E);
        }
    }

    private static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }
}
