package dev.pagewise.tests;

import dev.pagewise.core.BumpArena;
import dev.pagewise.core.FixedRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@link FixedRange} contract, run against every backing. */
class FixedRangeContractTest {

    static Stream<Ranges.Kind> kinds() {
        return Ranges.all();
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void shouldStartZeroedAndPageAligned(Ranges.Kind kind) {
        try (FixedRange range = kind.of(1 << 20)) {
            assertTrue(range.byteSize() >= 1 << 20);
            assertEquals(0, range.segment().address() % 4096);
            range.commit(0, range.byteSize());
            assertEquals(-1L, range.segment().mismatch(MemorySegment.ofArray(new byte[(int) range.byteSize()])),
                    "fresh range reads zero");
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void commitShouldBeMonotonicAndIdempotent(Ranges.Kind kind) {
        try (FixedRange range = kind.of(1 << 20)) {
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
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void lastByteShouldBeUsable(Ranges.Kind kind) {
        try (FixedRange range = kind.of(64 << 10)) {
            long last = range.byteSize() - 1;
            range.commit(last, 1);
            assertEquals(range.byteSize(), range.committed());
            range.segment().set(JAVA_BYTE, last, (byte) 0x5A);
            assertEquals(0x5A, range.segment().get(JAVA_BYTE, last));
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void shouldRejectCommitOutsideTheRangeAndKeepState(Ranges.Kind kind) {
        try (FixedRange range = kind.of(64 << 10)) {
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

    @ParameterizedTest
    @MethodSource("kinds")
    void containsShouldCompareAddresses(Ranges.Kind kind) {
        try (FixedRange range = kind.of(64 << 10); Arena arena = Arena.ofConfined()) {
            MemorySegment whole = range.segment();
            assertTrue(range.contains(whole));
            assertTrue(range.contains(whole.asSlice(100, 50)));
            assertTrue(range.contains(whole.asSlice(whole.byteSize() - 1, 1)));
            assertFalse(range.contains(arena.allocate(16)));
            assertFalse(range.contains(MemorySegment.ofAddress(whole.address() + whole.byteSize())));
            assertFalse(range.contains(MemorySegment.ofAddress(whole.address() - 1).reinterpret(2)));
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void closeShouldRevokeSegmentsAndRefuseWhileHeld(Ranges.Kind kind) {
        FixedRange range = kind.of(64 << 10);
        range.commit(0, 8);
        MemorySegment segment = range.segment();
        FixedRange part = range.slice(0, 4096);
        MemorySegment partSegment = part.segment();
        IllegalStateException held = assertThrows(IllegalStateException.class, range::close);
        assertTrue(held.getMessage().contains("in use by 1"), held.getMessage());
        segment.set(JAVA_LONG, 0, 42L);
        assertEquals(1, range.lifetime().holders());
        part.close();
        assertThrows(IllegalStateException.class, () -> partSegment.get(JAVA_LONG, 0), "a closed slice revokes its segment");
        assertEquals(42L, segment.get(JAVA_LONG, 0), "closing the slice leaves the range alone");
        range.close();
        assertThrows(IllegalStateException.class, () -> segment.get(JAVA_LONG, 0), "stale segment after close");
        assertThrows(IllegalStateException.class, range::close);
        assertThrows(IllegalStateException.class, range::segment);
        assertThrows(IllegalStateException.class, () -> range.commit(0, 1));
        assertThrows(IllegalStateException.class, () -> range.slice(0, 4096));
        assertThrows(IllegalStateException.class, () -> BumpArena.over(range));
    }
}
