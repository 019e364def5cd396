package dev.pagewise.core;

import dev.pagewise.core.MemoryCorruptionException;
import dev.pagewise.core.NativeBacked;
import dev.pagewise.core.Slab;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A stray write into a free slot is detected when its link is followed, and never hands a live slot out twice. */
class SlabIntegrityTest {

    @Test
    void aLinkChangedAfterFreeShouldBeDetectedAndNeverFollowed() {
        for (long corrupt : new long[] {0, 1, 2, -5, 1 << 20, Long.MAX_VALUE}) {
            try (NativeBacked range = NativeBacked.allocate(64 * 128)) {
                Slab slab = Slab.over(range, 64);
                MemorySegment[] s = new MemorySegment[4 + Slab.RECENT];
                for (int i = 0; i < s.length; i++) {
                    s[i] = slab.allocate(64, 8);
                }
                for (int i = s.length - 1; i >= 4; i--) {
                    slab.deallocate(s[i]); // the slots freed last are kept on the heap: these fill that
                }
                slab.deallocate(s[3]); // and these two go to the in-band list
                slab.deallocate(s[2]);
                s[2].set(JAVA_LONG_UNALIGNED, 0, corrupt); // a write through the freed segment
                Set<Long> live = new HashSet<>();
                live.add(s[0].address());
                live.add(s[1].address());
                MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, () -> {
                    for (int i = 0; i < 200; i++) {
                        MemorySegment next = slab.tryAllocate(64, 8);
                        if (next == null) {
                            break;
                        }
                        assertTrue(live.add(next.address()), "handed out twice: " + next);
                    }
                }, "link " + corrupt);
                assertTrue(e.getMessage().contains("written after it was freed"), e.getMessage());
                for (int i = 0; i < 200; i++) {
                    MemorySegment next = slab.tryAllocate(64, 8);
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
    void aWriteIntoARecentlyFreedSlotShouldNotChangeWhichSlotsComeNext() {
        try (NativeBacked range = NativeBacked.allocate(64 * 16)) {
            Slab slab = Slab.over(range, 64);
            MemorySegment[] s = new MemorySegment[4];
            for (int i = 0; i < 4; i++) {
                s[i] = slab.allocate(64, 8);
            }
            slab.deallocate(s[3]);
            slab.deallocate(s[2]);
            s[2].fill((byte) 0x41); // over where an in-band link would be
            s[3].set(JAVA_LONG_UNALIGNED, 0, 1L);
            assertEquals(s[2].address(), slab.allocate(64, 8).address(), "the slot freed last first");
            assertEquals(s[3].address(), slab.allocate(64, 8).address());
            assertEquals(range.segment().address() + 4 * 64, slab.allocate(64, 8).address(), "then a fresh slot");
            assertEquals(5, slab.liveSlots());
            slab.close();
        }
    }

    @Test
    void impossibleSlabsShouldBeRejectedAndLeaveTheRangeFree() {
        try (NativeBacked range = NativeBacked.allocate(1 << 20)) {
            assertThrows(IllegalArgumentException.class, () -> Slab.over(range, Long.MAX_VALUE));
            assertThrows(IllegalArgumentException.class, () -> Slab.over(range, 0));
            assertThrows(IllegalArgumentException.class, () -> Slab.over(range, (1 << 20) + 1));
            assertThrows(NullPointerException.class, () -> Slab.over(null, 64));
            assertEquals(0, range.lifetime().holders());
        }
        assertTrue(Slab.MAX_SLOTS >= 1L << 32);
    }

    @Test
    void theFailureMessageShouldReadAsItsJavadocSays() {
        try (NativeBacked range = NativeBacked.allocate(64 << 10);
             dev.pagewise.core.BumpArena arena = dev.pagewise.core.BumpArena.over(range)) {
            arena.allocate(63 << 10, 1);
            dev.pagewise.core.AllocationFailedException e = assertThrows(dev.pagewise.core.AllocationFailedException.class,
                    () -> arena.allocate(4096, 8));
            assertEquals("BumpArena: cannot allocate 4.0 KiB (4096 bytes, align 8): 1.0 KiB of 64.0 KiB remaining",
                    e.getMessage());
        }
    }
}
