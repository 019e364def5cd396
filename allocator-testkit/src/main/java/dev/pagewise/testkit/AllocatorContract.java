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
 * was handed out, and frees that are either exact ({@link Allocator#freesIndividually()}) or ignored.
 * Extend it and implement {@link #create()}; the allocator must serve blocks of 8 to 256 bytes aligned to 8.
 */
public abstract class AllocatorContract {

    private Allocator allocator;

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
        allocator = create();
    }

    @AfterEach
    final void closeIt() throws Exception {
        close(allocator);
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

    private static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }
}
