package dev.pagewise.core;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ExtendableSlab over a range that is not OsBacked: growth by chunks, integrity as Slab's, purge as zeroing. */
class ExtendableSlabTest {

    private static final long CHUNK = 4096;

    private static final byte[] ZEROS = new byte[1 << 16];

    private static boolean readsZero(MemorySegment s) {
        return s.mismatch(MemorySegment.ofArray(ZEROS).asSlice(0, s.byteSize())) == -1;
    }

    @Test
    void shouldGrowChunkByChunkAndReturnNullOnlyWhenTheRangeIsFull() {
        try (NativeBacked range = NativeBacked.allocate(4 * CHUNK)) {
            ExtendableSlab slab = ExtendableSlab.builder(range, 1024).chunkSize(CHUNK).build();
            assertEquals(0, slab.chunksTaken());
            assertEquals(4 * CHUNK, slab.capacity());
            Set<Long> addresses = new HashSet<>();
            for (int i = 0; i < 16; i++) {
                MemorySegment s = slab.tryAllocate(1024, 8);
                assertNotNull(s, "slot " + i);
                assertEquals(i / 4 + 1, slab.chunksTaken(), "chunks after slot " + i);
                assertTrue(readsZero(s));
                s.fill((byte) 7);
                assertTrue(addresses.add(s.address()));
            }
            assertNull(slab.tryAllocate(8, 8), "range full");
            assertThrows(AllocationFailedException.class, () -> slab.allocate(8, 8));
            assertNull(slab.tryAllocate(1025, 8), "larger than a slot");
            assertEquals(16, slab.liveSlots());
            slab.close();
        }
    }

    @Test
    void misuseShouldThrowAndChangeNothing() {
        try (NativeBacked range = NativeBacked.allocate(4 * CHUNK)) {
            ExtendableSlab slab = ExtendableSlab.builder(range, 256).chunkSize(CHUNK).build();
            MemorySegment a = slab.allocate(256, 8);
            MemorySegment b = slab.allocate(100, 8);
            a.fill((byte) 1);
            assertThrows(IllegalArgumentException.class, () -> slab.deallocate(a.asSlice(8, 16)), "interior");
            assertThrows(IllegalArgumentException.class, () -> slab.deallocate(MemorySegment.ofArray(new byte[8])));
            assertThrows(IllegalArgumentException.class,
                    () -> slab.deallocate(MemorySegment.ofAddress(a.address() + 2 * CHUNK).reinterpret(8)), "chunk not taken");
            assertEquals(2, slab.liveSlots());
            assertTrue(slab.owns(a) && slab.owns(b));
            assertEquals(1, a.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 255), "untouched");
            slab.deallocate(a);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> slab.deallocate(a));
            assertTrue(e.getMessage().contains("double free"), e.getMessage());
            assertEquals(1, slab.liveSlots());
            assertFalse(slab.owns(a));
            slab.close();
            assertThrows(IllegalStateException.class, () -> b.get(JAVA_LONG_UNALIGNED, 0), "segments die on close");
            assertThrows(IllegalStateException.class, () -> slab.allocate(8, 8));
            assertThrows(IllegalStateException.class, () -> slab.deallocate(b));
            assertThrows(IllegalStateException.class, slab::purge);
            assertThrows(IllegalStateException.class, slab::close);
            assertTrue(readsZero(range.segment().asSlice(0, CHUNK)), "close zeroes what the slab used");
        }
    }

    @Test
    void badBuildsShouldBeRejectedAndLeaveTheRangeFree() {
        try (NativeBacked range = NativeBacked.allocate(4 * CHUNK)) {
            assertThrows(IllegalArgumentException.class, () -> ExtendableSlab.builder(range, 0));
            assertThrows(IllegalArgumentException.class, () -> ExtendableSlab.builder(range, 64).chunkSize(0));
            assertThrows(IllegalArgumentException.class, () -> ExtendableSlab.builder(range, 64).chunkSize(8 * CHUNK).build());
            assertThrows(IllegalArgumentException.class, () -> ExtendableSlab.builder(range, 128).chunkSize(64).build());
            assertThrows(IllegalArgumentException.class, () -> PurgePolicy.after(Duration.ofSeconds(-1)));
            assertEquals(PurgePolicy.immediately(), PurgePolicy.after(Duration.ZERO));
            ExtendableSlab.over(range, 64).close(); // the range was left free by every refusal
        }
    }

    @Test
    void aLinkChangedAfterFreeShouldBeDetectedAndNeverFollowed() {
        for (long corrupt : new long[] {0, 1, 2, -5, 70, 1 << 20, Long.MAX_VALUE}) {
            try (NativeBacked range = NativeBacked.allocate(4 * CHUNK)) {
                ExtendableSlab slab = ExtendableSlab.builder(range, 512).chunkSize(CHUNK).build();
                MemorySegment[] s = new MemorySegment[4];
                for (int i = 0; i < 4; i++) {
                    s[i] = slab.allocate(512, 8);
                }
                slab.deallocate(s[3]);
                slab.deallocate(s[2]);
                s[2].set(JAVA_LONG_UNALIGNED, 0, corrupt);
                Set<Long> live = new HashSet<>(List.of(s[0].address(), s[1].address()));
                MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, () -> {
                    for (int i = 0; i < 40; i++) {
                        MemorySegment next = slab.tryAllocate(512, 8);
                        if (next == null) {
                            break;
                        }
                        assertTrue(live.add(next.address()), "handed out twice: " + next);
                    }
                }, "link " + corrupt);
                assertTrue(e.getMessage().contains("written after it was freed"), e.getMessage());
                for (int i = 0; i < 40; i++) {
                    MemorySegment next = slab.tryAllocate(512, 8);
                    if (next == null) {
                        break;
                    }
                    assertTrue(live.add(next.address()), "after the corruption, handed out twice: " + next);
                }
                slab.close();
            }
        }
    }

    @Test
    void immediatelyShouldZeroAnEmptyChunkOfAPlainRangeAndHandItOutFresh() {
        try (NativeBacked range = NativeBacked.allocate(4 * CHUNK)) {
            ExtendableSlab slab = ExtendableSlab.builder(range, 1024).chunkSize(CHUNK)
                    .purge(PurgePolicy.immediately()).build();
            List<MemorySegment> chunk0 = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                chunk0.add(slab.allocate(1024, 8));
            }
            MemorySegment other = slab.allocate(1024, 8);
            for (int i = 0; i < 3; i++) {
                slab.deallocate(chunk0.get(i));
            }
            assertEquals(0, slab.purgedBytes(), "the chunk still holds a live slot");
            MemorySegment link = range.segment().asSlice(0, 8);
            slab.deallocate(chunk0.get(3));
            assertEquals(CHUNK, slab.purgedBytes());
            assertEquals(0, slab.emptyChunks());
            assertTrue(readsZero(range.segment().asSlice(0, CHUNK)), "links zeroed too");
            assertEquals(0, link.get(JAVA_LONG_UNALIGNED, 0));
            MemorySegment again = slab.allocate(1024, 8);
            assertEquals(range.segment().address(), again.address(), "handed out from the start, fresh");
            assertTrue(slab.owns(other));
            slab.close();
        }
    }

    @Test
    void afterShouldPurgeOnTheFirstCallOnceTheDelayHasPassed() {
        AtomicLong now = new AtomicLong(1_000);
        try (NativeBacked range = NativeBacked.allocate(4 * CHUNK)) {
            ExtendableSlab slab = ExtendableSlab.builder(range, 1024).chunkSize(CHUNK)
                    .purge(PurgePolicy.after(Duration.ofNanos(100))).clock(now::get).build();
            List<MemorySegment> all = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                all.add(slab.allocate(1024, 8));
            }
            for (int i = 4; i < 12; i++) {
                slab.deallocate(all.get(i)); // chunks 1 and 2 empty at t=1000
            }
            assertEquals(2, slab.emptyChunks());
            now.set(1_099);
            slab.deallocate(all.get(0));
            assertEquals(0, slab.purgedBytes(), "not yet");
            now.set(1_100);
            slab.deallocate(all.get(1));
            assertEquals(2 * CHUNK, slab.purgedBytes(), "purged by the next call after the delay");
            assertEquals(0, slab.emptyChunks());
            // a chunk used again within the delay is not purged
            slab.deallocate(all.get(2));
            slab.deallocate(all.get(3)); // chunk 0 empty at t=1100
            MemorySegment reused = slab.allocate(1024, 8);
            assertEquals(range.segment().address() + 3 * 1024, reused.address(), "the free list's head, in chunk 0");
            now.set(10_000);
            slab.allocate(1024, 8);
            assertEquals(2 * CHUNK, slab.purgedBytes());
            slab.close();
        }
    }

    @Test
    void neverShouldLeaveEmptyChunksUntilPurge() {
        try (NativeBacked range = NativeBacked.allocate(4 * CHUNK)) {
            ExtendableSlab slab = ExtendableSlab.builder(range, 2048).chunkSize(CHUNK).build();
            List<MemorySegment> all = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                all.add(slab.allocate(2048, 8));
            }
            all.forEach(slab::deallocate);
            assertEquals(4, slab.chunksTaken());
            assertEquals(4, slab.emptyChunks());
            assertEquals(0, slab.purgedBytes());
            assertEquals(4 * CHUNK, slab.purge());
            assertEquals(0, slab.purge());
            assertEquals(0, slab.emptyChunks());
            assertTrue(readsZero(range.segment().asSlice(0, 4 * CHUNK)));
            for (int i = 0; i < 8; i++) {
                assertTrue(readsZero(slab.allocate(2048, 8)));
            }
            assertNull(slab.tryAllocate(8, 8));
            slab.close();
        }
    }

    @Test
    void aStaleWriteIntoAPurgedChunkShouldNotLeakIntoAnotherOwnersFreshSlotAfterClose() {
        try (NativeBacked range = NativeBacked.allocate(2 * CHUNK)) {
            ExtendableSlab slab = ExtendableSlab.builder(range, 1024).chunkSize(CHUNK)
                    .purge(PurgePolicy.immediately()).build();
            MemorySegment s = slab.allocate(1024, 8);
            slab.deallocate(s);
            s.fill((byte) 5); // stale, into a purged chunk: lands in the range, which stays accessible
            slab.close();
            assertTrue(readsZero(range.segment().asSlice(0, 1024)), "close restores zero");
        }
    }

    @Test
    void theListenerShouldHearAllocationsFreesAndClose() {
        AtomicInteger allocs = new AtomicInteger();
        AtomicInteger frees = new AtomicInteger();
        AtomicInteger closes = new AtomicInteger();
        AllocationListener l = new AllocationListener() {
            @Override
            public void onAllocation(MemorySegment segment) {
                allocs.incrementAndGet();
            }

            @Override
            public void onRelease(MemorySegment segment) {
                frees.incrementAndGet();
            }

            @Override
            public void onClose() {
                closes.incrementAndGet();
            }
        };
        try (NativeBacked range = NativeBacked.allocate(4 * CHUNK)) {
            ExtendableSlab slab = ExtendableSlab.builder(range, 64).chunkSize(CHUNK).listener(l).build();
            slab.deallocate(slab.allocate(64, 8));
            slab.allocate(8, 8);
            slab.close();
            assertEquals(2, allocs.get());
            assertEquals(1, frees.get());
            assertEquals(1, closes.get());
        }
    }

    @Test
    void withoutZeroingShouldKeepTheBytesOfAFreedSlot() {
        try (NativeBacked range = NativeBacked.allocate(4 * CHUNK)) {
            ExtendableSlab slab = ExtendableSlab.builder(range, 64).chunkSize(CHUNK).withoutZeroing().build();
            MemorySegment a = slab.allocate(64, 8);
            a.fill((byte) 3);
            slab.deallocate(a);
            MemorySegment b = slab.allocate(64, 8);
            assertEquals(a.address(), b.address());
            assertEquals(3, b.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 63));
            slab.close();
        }
    }

    @Test
    void aHugeSlotSizeShouldBeRefusedByName() {
        try (NativeBacked range = NativeBacked.allocate(1 << 16)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ExtendableSlab.over(range, Long.MAX_VALUE - 3));
            assertTrue(e.getMessage().contains("slotSize"), e.getMessage());
        }
    }
}
