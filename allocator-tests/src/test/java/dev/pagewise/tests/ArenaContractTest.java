package dev.pagewise.tests;

import dev.pagewise.core.AllocationFailedException;
import dev.pagewise.core.BumpArena;
import dev.pagewise.core.FixedRange;
import dev.pagewise.core.NativeBacked;
import dev.pagewise.core.ResetPolicy;
import dev.pagewise.core.SharedBumpArena;
import dev.pagewise.core.StackArena;
import dev.pagewise.os.MapOptions;
import dev.pagewise.os.linux.MmapBacked;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every scoped allocator honours {@link Arena}'s contract, as {@code Arena.ofConfined()} does. */
class ArenaContractTest {

    /** An arena under test; {@code cleanup} closes what owns it after the arena is closed. */
    record Opened(Arena arena, Runnable cleanup) {
    }

    record Case(String name, boolean checked, Function<FixedRange, Opened> open) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> arenas() {
        return Stream.of(
                new Case("BumpArena", true, r -> new Opened(BumpArena.over(r), () -> { })),
                new Case("BumpArena(unchecked)", false,
                        r -> new Opened(BumpArena.builder(r).unchecked().build(), () -> { })),
                new Case("SharedBumpArena", true, r -> new Opened(SharedBumpArena.over(r), () -> { })),
                new Case("StackArena.Frame", true, r -> {
                    StackArena stack = StackArena.over(r);
                    return new Opened(stack.push(), stack::close);
                }));
    }

    @ParameterizedTest
    @MethodSource("arenas")
    void shouldRejectBadRequestsLikeArena(Case c) {
        try (NativeBacked range = NativeBacked.allocate(64 << 10)) {
            Opened opened = c.open().apply(range);
            Arena arena = opened.arena();
            assertThrows(IllegalArgumentException.class, () -> arena.allocate(-1, 8));
            assertThrows(IllegalArgumentException.class, () -> arena.allocate(8, 0));
            assertThrows(IllegalArgumentException.class, () -> arena.allocate(8, 3));
            assertThrows(IllegalArgumentException.class, () -> arena.allocate(8, -8));
            MemorySegment s = arena.allocate(16, 8);
            assertEquals(16, s.byteSize());
            assertEquals(0, arena.allocate(0, 1).byteSize());
            AllocationFailedException full = assertThrows(AllocationFailedException.class,
                    () -> arena.allocate(1 << 20, 8));
            assertTrue(full.getMessage().contains("cannot allocate 1.0 MiB"), full.getMessage());
            arena.close();
            opened.cleanup().run();
        }
    }

    @ParameterizedTest
    @MethodSource("arenas")
    void shouldPlugIntoFfmApis(Case c) {
        try (NativeBacked range = NativeBacked.allocate(64 << 10)) {
            Opened opened = c.open().apply(range);
            Arena arena = opened.arena();
            MemorySegment text = arena.allocateFrom("pagewise");
            assertEquals("pagewise", text.getString(0));
            MemorySegment ints = arena.allocateFrom(JAVA_INT, 1, 2, 3);
            assertEquals(3, ints.getAtIndex(JAVA_INT, 2));
            assertEquals(0, arena.allocate(JAVA_LONG).address() % 8);
            assertSame(arena.scope(), text.scope(), "segments belong to the arena's scope");
            arena.close();
            if (c.checked()) {
                assertThrows(IllegalStateException.class, () -> text.get(JAVA_BYTE, 0), "closed arena");
            }
            opened.cleanup().run();
        }
    }

    @ParameterizedTest
    @MethodSource("arenas")
    void closeShouldNotBeIdempotent(Case c) {
        try (NativeBacked range = NativeBacked.allocate(64 << 10)) {
            Opened opened = c.open().apply(range);
            Arena arena = opened.arena();
            arena.close();
            assertThrows(IllegalStateException.class, arena::close);
            assertThrows(IllegalStateException.class, () -> arena.allocate(8, 8));
            opened.cleanup().run();
        }
    }

    @Test
    void singleOwnerArenasShouldRefuseOtherThreads() throws Exception {
        try (NativeBacked range = NativeBacked.allocate(64 << 10); BumpArena arena = BumpArena.over(range)) {
            MemorySegment s = arena.allocate(8, 8);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> CompletableFuture.runAsync(() -> arena.allocate(8, 8)).get());
            assertInstanceOf(WrongThreadException.class, e.getCause());
            e = assertThrows(ExecutionException.class,
                    () -> CompletableFuture.runAsync(() -> s.get(JAVA_LONG, 0)).get());
            assertInstanceOf(WrongThreadException.class, e.getCause(), "checked segments are confined");
        }
    }

    @Test
    void staleSegmentAfterResetShouldThrowNotShowNewData() {
        try (MmapBacked range = MmapBacked.map(1 << 20, MapOptions.DEFAULT.withLazyCommit());
             BumpArena arena = BumpArena.over(range)) {
            MemorySegment old = arena.allocate(64, 8);
            old.set(JAVA_LONG, 0, 0xDEADL);
            arena.reset();
            MemorySegment fresh = arena.allocate(64, 8);
            assertEquals(old.address(), fresh.address(), "the same memory is handed out again");
            assertEquals(0L, fresh.get(JAVA_LONG, 0), "and reads zero");
            fresh.set(JAVA_LONG, 0, 0xBEEFL);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> old.get(JAVA_LONG, 0));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
    }

    @Test
    void uncheckedArenaShouldHandOutLiveSlicesOfTheRange() {
        try (NativeBacked range = NativeBacked.allocate(64 << 10)) {
            BumpArena arena = BumpArena.builder(range).unchecked().build();
            MemorySegment old = arena.allocate(8, 8);
            arena.reset();
            old.get(JAVA_LONG, 0);
            assertSame(range.segment().scope(), old.scope());
            arena.close();
        }
    }

    @Test
    void bumpArenaShouldTrackAllocatedRemainingHighWaterAndMarks() {
        try (NativeBacked range = NativeBacked.allocate(64 << 10); BumpArena arena = BumpArena.over(range)) {
            arena.allocate(10, 1);
            assertEquals(10, arena.allocated());
            MemorySegment aligned = arena.allocate(8, 64);
            assertEquals(0, aligned.address() % 64);
            assertEquals(72, arena.allocated());
            long mark = arena.mark();
            MemorySegment inner = arena.allocate(1000, 8);
            inner.fill((byte) 9);
            assertEquals(1072, arena.highWater());
            arena.resetTo(mark);
            assertEquals(72, arena.allocated());
            assertEquals(72, arena.highWater());
            MemorySegment again = arena.allocate(1000, 8);
            assertEquals(inner.address(), again.address());
            assertEquals(-1, again.mismatch(MemorySegment.ofArray(new byte[1000])), "reads zero after resetTo");
            assertThrows(IllegalArgumentException.class, () -> arena.resetTo(arena.allocated() + 1));
            assertThrows(IllegalArgumentException.class, () -> arena.resetTo(-1));
            assertEquals(arena.capacity() - arena.allocated(), arena.remaining());
        }
    }

    @Test
    void exactFitShouldSucceedAndOneMoreByteShouldFail() {
        try (NativeBacked range = NativeBacked.allocate(4096); BumpArena arena = BumpArena.over(range)) {
            arena.allocate(4000, 1);
            long before = arena.allocated();
            assertNull(arena.tryAllocate(97, 1));
            assertEquals(before, arena.allocated(), "a failed request changes nothing");
            MemorySegment last = arena.allocate(96, 1);
            assertEquals(range.segment().address() + 4095, last.address() + last.byteSize() - 1);
            assertEquals(0, arena.remaining());
            assertEquals(0, arena.allocate(0, 1).byteSize(), "a zero-size request fits in a full arena");
        }
    }

    @Test
    void overflowingRequestsShouldFailCleanly() {
        try (NativeBacked range = NativeBacked.allocate(4096); BumpArena arena = BumpArena.over(range)) {
            arena.allocate(8, 1);
            assertNull(arena.tryAllocate(Long.MAX_VALUE, 1));
            assertNull(arena.tryAllocate(8, 1L << 62));
            assertEquals(8, arena.allocated());
        }
    }

    @Test
    void bumpArenaShouldDemandCommitALazyRange() {
        try (MmapBacked range = MmapBacked.map(1L << 36, MapOptions.DEFAULT.withLazyCommit());
             BumpArena arena = BumpArena.over(range)) {
            assertEquals(0, range.committed());
            arena.allocate(100, 8).set(JAVA_BYTE, 99, (byte) 1);
            assertEquals(MmapBacked.COMMIT_GRANULARITY, range.committed());
            arena.allocate(1 << 20, 8).set(JAVA_BYTE, (1 << 20) - 1, (byte) 1);
            assertTrue(range.committed() < 2 << 20, "commits only what is used: " + range.committed());
        }
    }

    @Test
    void arenaShouldPinItsRange() {
        NativeBacked range = NativeBacked.allocate(4096);
        BumpArena arena = BumpArena.over(range);
        assertThrows(IllegalStateException.class, range::close, "the arena's segments would dangle");
        arena.close();
        range.close();
        BumpArena owning = BumpArena.builder(NativeBacked.allocate(4096)).closeRangeOnClose().build();
        FixedRange owned = owning.range();
        owning.close();
        assertThrows(IllegalStateException.class, owned::close, "already closed by the arena");
    }

    @Test
    void resetShouldReportAndCount() {
        try (MmapBacked range = MmapBacked.map(1 << 20);
             BumpArena arena = BumpArena.builder(range).resetPolicy(ResetPolicy.zeroAll()).build()) {
            arena.allocate(10_000, 8).fill((byte) 1);
            var report = arena.reset();
            assertEquals(dev.pagewise.core.ResetStrategy.ZERO, report.strategy());
            assertEquals(10_000, report.bytesZeroed());
            assertEquals(1, arena.resets());
            assertSame(report, arena.lastReset());
        }
    }

    @Test
    void aStackShouldRefusePushesFromOtherThreadsAndOnceClosed() throws Exception {
        try (NativeBacked range = NativeBacked.allocate(64 << 10)) {
            StackArena stack = StackArena.over(range);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> CompletableFuture.runAsync(stack::push).get());
            assertInstanceOf(WrongThreadException.class, e.getCause());
            assertTrue(e.getCause().getMessage().startsWith("StackArena is owned by "), e.getCause().getMessage());
            assertEquals(0, stack.depth(), "nothing pushed");
            stack.close();
            IllegalStateException closed = assertThrows(IllegalStateException.class, stack::push);
            assertEquals("StackArena is closed", closed.getMessage());
            assertEquals(0, stack.depth());
        }
    }

    @Test
    void framesShouldCloseInOrder() {
        try (NativeBacked range = NativeBacked.allocate(64 << 10); StackArena stack = StackArena.over(range)) {
            StackArena.Frame outer = stack.push();
            MemorySegment a = outer.allocate(ValueLayout.JAVA_LONG);
            StackArena.Frame inner = stack.push();
            assertThrows(IllegalStateException.class, () -> outer.allocate(8, 8), "only the top frame allocates");
            assertThrows(IllegalStateException.class, outer::close, "inner frame still open");
            assertThrows(IllegalStateException.class, () -> stack.allocate(8, 8));
            assertThrows(IllegalStateException.class, stack::reset);
            inner.close();
            a.set(JAVA_LONG, 0, 5L);
            outer.close();
            assertEquals(0, stack.allocated());
            assertEquals(0, stack.depth());
        }
    }
}
