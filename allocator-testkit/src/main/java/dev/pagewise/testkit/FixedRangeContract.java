package dev.pagewise.testkit;

import dev.pagewise.core.BumpArena;
import dev.pagewise.core.FixedRange;
import dev.pagewise.core.Slab;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link FixedRange} contract: commits, zeroing, containment, and a lifetime that no allocator or
 * slice can outlive. Extend it and implement {@link #create(long)}.
 */
public abstract class FixedRangeContract {

    private final List<AutoCloseable> cleanUp = new ArrayList<>();

    /** Creates this suite; JUnit calls it. */
    protected FixedRangeContract() {
    }

    /**
     * {@return a new, open range of at least {@code byteSize} bytes, reading zero} Its size must be a multiple
     * of 4096 when {@code byteSize} is.
     *
     * @param byteSize the least size the test needs
     */
    protected abstract FixedRange create(long byteSize);

    /**
     * Closes {@code resource} after the test, in reverse order of registration: for the parents of a slice.
     *
     * @param resource what to close once the test is over
     */
    protected final void closeAfterTest(AutoCloseable resource) {
        cleanUp.add(resource);
    }

    @AfterEach
    final void cleanUp() throws Exception {
        for (int i = cleanUp.size() - 1; i >= 0; i--) {
            cleanUp.get(i).close();
        }
        cleanUp.clear();
    }

    @Test
    void aFreshRangeShouldReadZero() {
        try (FixedRange range = create(1 << 20)) {
            assertTrue(range.byteSize() >= 1 << 20);
            range.commit(0, range.byteSize());
            assertEquals(-1L, range.segment().mismatch(MemorySegment.ofArray(new byte[(int) range.byteSize()])));
        }
    }

    @Test
    void commitShouldBeMonotonicAndIdempotent() {
        try (FixedRange range = create(1 << 20)) {
            range.commit(0, 100);
            long first = range.committed();
            assertTrue(first >= 100);
            range.commit(0, 100);
            assertEquals(first, range.committed());
            range.commit(0, 0);
            assertEquals(first, range.committed());
            range.commit(200_000, 1);
            assertTrue(range.committed() >= 200_001);
            range.segment().set(JAVA_BYTE, 200_000, (byte) 7);
            range.commit(0, 10);
            assertTrue(range.committed() >= 200_001, "commits never shrink");
            assertEquals(7, range.segment().get(JAVA_BYTE, 200_000));
            assertTrue(range.committed() <= range.byteSize());
        }
    }

    @Test
    void theLastByteShouldBeUsable() {
        try (FixedRange range = create(64 << 10)) {
            long last = range.byteSize() - 1;
            range.commit(last, 1);
            assertEquals(range.byteSize(), range.committed());
            range.segment().set(JAVA_BYTE, last, (byte) 0x5A);
            assertEquals(0x5A, range.segment().get(JAVA_BYTE, last));
        }
    }

    @Test
    void shouldRejectCommitsOutsideTheRangeAndKeepState() {
        try (FixedRange range = create(64 << 10)) {
            long size = range.byteSize();
            long before = range.committed();
            assertThrows(IllegalArgumentException.class, () -> range.commit(-1, 10));
            assertThrows(IllegalArgumentException.class, () -> range.commit(0, -10));
            assertThrows(IllegalArgumentException.class, () -> range.commit(size, 1));
            assertThrows(IllegalArgumentException.class, () -> range.commit(1, Long.MAX_VALUE));
            assertThrows(IllegalArgumentException.class, () -> range.commit(Long.MAX_VALUE, Long.MAX_VALUE));
            assertEquals(before, range.committed());
        }
    }

    @Test
    void zeroShouldWriteZerosInsideTheCommittedPrefixOnly() {
        try (FixedRange range = create(64 << 10)) {
            range.commit(0, 8192);
            range.segment().asSlice(0, 8192).fill((byte) 3);
            range.zero(100, 4000);
            assertEquals(3, range.segment().get(JAVA_BYTE, 99));
            assertEquals(0, range.segment().get(JAVA_BYTE, 100));
            assertEquals(0, range.segment().get(JAVA_BYTE, 4099));
            assertEquals(3, range.segment().get(JAVA_BYTE, 4100));
            assertThrows(IllegalArgumentException.class, () -> range.zero(-1, 1));
            assertThrows(IllegalArgumentException.class, () -> range.zero(0, range.committed() + 1));
            assertEquals(3, range.segment().get(JAVA_BYTE, 4100), "a rejected zero writes nothing");
        }
    }

    @Test
    void containsShouldCompareAddresses() {
        try (FixedRange range = create(64 << 10); Arena arena = Arena.ofConfined()) {
            MemorySegment whole = range.segment();
            assertTrue(range.contains(whole));
            assertTrue(range.contains(whole.asSlice(100, 50)));
            assertTrue(range.contains(whole.asSlice(whole.byteSize() - 1, 1)));
            assertFalse(range.contains(arena.allocate(16)));
            assertFalse(range.contains(MemorySegment.ofAddress(whole.address() + whole.byteSize())));
        }
    }

    @Test
    void anAllocatorShouldHoldTheRangeUntilItCloses() {
        FixedRange range = create(64 << 10);
        BumpArena arena = BumpArena.over(range);
        MemorySegment block = arena.allocate(64, 8);
        assertEquals(1, range.lifetime().holders());
        IllegalStateException held = assertThrows(IllegalStateException.class, range::close);
        assertTrue(held.getMessage().contains("in use by 1"), held.getMessage());
        block.set(JAVA_LONG, 0, 42L);
        arena.close();
        assertEquals(0, range.lifetime().holders());
        range.close();
        assertFalse(range.lifetime().isAlive());
    }

    /**
     * No two allocators ever hand out the same bytes: a second allocator over a range in use, a slice of a range
     * an allocator uses, or an allocator over a range whose slices are in use, is refused and changes nothing.
     */
    @Test
    void twoAllocatorsShouldNeverShareTheirBytes() {
        FixedRange range = create(64 << 10);
        BumpArena first = BumpArena.over(range);
        MemorySegment secret = first.allocateFrom("tenant A");
        IllegalStateException second = assertThrows(IllegalStateException.class, () -> BumpArena.over(range));
        assertTrue(second.getMessage().contains("to itself"), second.getMessage());
        assertThrows(IllegalStateException.class, () -> Slab.over(range, 64));
        assertThrows(IllegalStateException.class, () -> range.slice(0, 4096));
        assertEquals("tenant A", secret.getString(0), "the refusals changed nothing");
        first.close();

        FixedRange part = range.slice(0, 4096);
        assertThrows(IllegalStateException.class, () -> BumpArena.over(range), "a slice is in use");
        try (BumpArena inPart = BumpArena.over(part)) {
            assertEquals(0, inPart.allocate(8).get(JAVA_LONG, 0));
            assertThrows(IllegalStateException.class, () -> BumpArena.over(part));
        }
        part.close();
        try (BumpArena again = BumpArena.over(range)) {
            assertEquals(0, again.allocate(16).get(JAVA_LONG, 8), "reads zero: the first arena's bytes are gone");
        }
        range.close();
    }

    /**
     * Slices of one range never share bytes: a part that overlaps an open slice is refused and changes nothing;
     * a part beside it, or the same part once that slice is closed, is granted.
     */
    @Test
    void slicesOfOneRangeShouldNeverOverlap() {
        FixedRange range = create(64 << 10);
        FixedRange first = range.slice(4096, 8192);
        try (BumpArena tenant = BumpArena.over(first)) {
            MemorySegment secret = tenant.allocateFrom("tenant A");
            for (long[] part : new long[][] {{4096, 8192}, {0, 8192}, {8192, 4096}, {8192, 8192}, {0, 64 << 10}}) {
                IllegalStateException refused = assertThrows(IllegalStateException.class,
                        () -> range.slice(part[0], part[1]), "[" + part[0] + ", +" + part[1] + ")");
                assertTrue(refused.getMessage().contains("overlaps its open slice [4096, +8192)"), refused.getMessage());
            }
            assertEquals(1, range.lifetime().holders(), "the refusals took no hold");
            FixedRange before = range.slice(0, 4096);
            FixedRange after = range.slice(12288, 4096);
            assertEquals(0, readFirstLong(before), "a part beside the slice is a range of its own");
            after.close();
            before.close();
            assertEquals("tenant A", secret.getString(0), "the refusals changed nothing");
        }
        first.close();
        FixedRange again = range.slice(0, 64 << 10);
        try (BumpArena next = BumpArena.over(again)) {
            next.allocate(4096);
            assertEquals(0, next.allocate(16).get(JAVA_LONG, 0), "reads zero: the first tenant's bytes are gone");
        }
        again.close();
        assertEquals(0, range.lifetime().holders());
        range.close();
    }

    private static long readFirstLong(FixedRange range) {
        try (BumpArena arena = BumpArena.over(range)) {
            return arena.allocate(8).get(JAVA_LONG, 0);
        }
    }

    @Test
    void closeShouldRevokeSegmentsAndRefuseWhileASliceHoldsTheRange() {
        FixedRange range = create(64 << 10);
        range.commit(0, 8);
        MemorySegment segment = range.segment();
        FixedRange part = range.slice(0, 4096);
        MemorySegment partSegment = part.segment();
        assertThrows(IllegalStateException.class, range::close);
        segment.set(JAVA_LONG, 0, 42L);
        part.close();
        assertThrows(IllegalStateException.class, () -> partSegment.get(JAVA_LONG, 0), "a closed slice revokes its segment");
        assertEquals(42L, segment.get(JAVA_LONG, 0), "closing the slice leaves the range alone");
        range.close();
        assertThrows(IllegalStateException.class, () -> segment.get(JAVA_LONG, 0), "stale segment after close");
        assertThrows(IllegalStateException.class, range::close, "close is not idempotent");
        assertThrows(IllegalStateException.class, range::segment);
        assertThrows(IllegalStateException.class, () -> range.commit(0, 1));
        assertThrows(IllegalStateException.class, () -> range.zero(0, 0));
        assertThrows(IllegalStateException.class, () -> range.slice(0, 4096));
        assertThrows(IllegalStateException.class, () -> BumpArena.over(range));
    }
}
