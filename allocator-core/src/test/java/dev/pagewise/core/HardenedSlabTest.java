package dev.pagewise.core;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A hardened slab's free list cannot be steered by a stray write, and a MAC'd link that was changed is not followed. */
class HardenedSlabTest {

    private static final byte[] KEY = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

    private static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    @Test
    void aChangedLinkShouldBeDetectedNamingItsSlotAndNeverFollowed() {
        // each way a stray write may change the link of slot 2 (whose true link is 3)
        for (int variant = 0; variant < 8; variant++) {
            try (NativeBacked range = NativeBacked.allocate(64 * 16)) {
                HardenedSlab slab = HardenedSlab.macLinked(range, 64, KEY);
                MemorySegment[] s = new MemorySegment[4];
                for (int i = 0; i < 4; i++) {
                    s[i] = slab.allocate(64, 8);
                }
                slab.deallocate(s[3]);
                slab.deallocate(s[2]);
                switch (variant) {
                    case 0, 1, 2, 3, 4 -> s[2].set(JAVA_LONG_UNALIGNED, 0, new long[] {0, 1, 2, -5, Long.MAX_VALUE}[variant]);
                    case 5 -> s[2].set(JAVA_BYTE, 8, (byte) (s[2].get(JAVA_BYTE, 8) ^ 1)); // one bit of the tag
                    case 6 -> MemorySegment.copy(s[3], 0, s[2], 0, 16); // a valid link and tag, of another slot
                    default -> s[2].fill((byte) 0); // zeros, as an overflowing memset would leave
                }
                Set<Long> live = new HashSet<>(Set.of(s[0].address(), s[1].address()));
                int v = variant;
                MemoryCorruptionException e = assertThrows(MemoryCorruptionException.class, () -> {
                    for (int i = 0; i < 20; i++) {
                        MemorySegment next = slab.tryAllocate(64, 8);
                        if (next == null) {
                            break;
                        }
                        assertTrue(live.add(next.address()), "handed out twice: " + next);
                    }
                }, "variant " + v);
                assertEquals(s[2].address(), e.address());
                assertTrue(e.getMessage().startsWith("HardenedSlab: free slot 2 at 0x" + Long.toHexString(s[2].address())
                        + " was written after it was freed"), e.getMessage());
                assertTrue(e.getMessage().contains("fails its MAC"), e.getMessage());
                for (int i = 0; i < 20; i++) {
                    MemorySegment next = slab.tryAllocate(64, 8);
                    if (next == null) {
                        break;
                    }
                    assertTrue(live.add(next.address()), "after the corruption, handed out twice: " + next);
                    assertEquals(-1, next.mismatch(MemorySegment.ofArray(new byte[64])), "reads zero");
                }
                slab.close();
            }
        }
    }

    @Test
    void untouchedMacLinksShouldBeFollowedInLifoOrder() {
        try (NativeBacked range = NativeBacked.allocate(4096)) {
            HardenedSlab slab = HardenedSlab.macLinked(range, 64, new SecureRandom());
            MemorySegment a = slab.allocate(64, 8);
            MemorySegment b = slab.allocate(64, 8);
            a.fill((byte) 1);
            b.fill((byte) 2);
            slab.deallocate(a);
            slab.deallocate(b);
            assertEquals(b.address(), slab.allocate(64, 8).address());
            MemorySegment again = slab.allocate(64, 8);
            assertEquals(a.address(), again.address());
            assertEquals(-1, again.mismatch(MemorySegment.ofArray(new byte[64])), "a reused slot reads zero");
            slab.close();
        }
    }

    @Test
    void withSplitMetadataAnOverflowShouldNotChangeWhichSlotComesNext() {
        try (NativeBacked range = NativeBacked.allocate(64 * 16)) {
            HardenedSlab slab = HardenedSlab.over(range, 64);
            MemorySegment[] s = new MemorySegment[4];
            for (int i = 0; i < 4; i++) {
                s[i] = slab.allocate(64, 8);
            }
            slab.deallocate(s[2]);
            slab.deallocate(s[1]);
            // s[0] overflows by two slots, over both free slots, as native code given its address might
            range.segment().asSlice(s[0].address() - range.segment().address() + 64, 128).fill((byte) 0x41);
            MemorySegment first = slab.allocate(64, 8);
            MemorySegment second = slab.allocate(64, 8);
            assertEquals(s[1].address(), first.address(), "the last freed slot comes first, as without the overflow");
            assertEquals(s[2].address(), second.address());
            assertEquals(-1, first.mismatch(MemorySegment.ofArray(new byte[64])), "zeroed when taken");
            assertEquals(-1, second.mismatch(MemorySegment.ofArray(new byte[64])), "zeroed when taken");
            assertEquals(range.segment().address() + 4 * 64, slab.allocate(64, 8).address(), "then a fresh slot");
            slab.close();
        }
        // the same overflow over a Slab's in-band free list is only detected, and the free slots are lost (the
        // slots freed last are kept on the heap, out of reach: these frees fill that first)
        try (NativeBacked range = NativeBacked.allocate(64 * 128)) {
            Slab slab = Slab.over(range, 64);
            MemorySegment[] s = new MemorySegment[4 + Slab.RECENT];
            for (int i = 0; i < s.length; i++) {
                s[i] = slab.allocate(64, 8);
            }
            for (int i = s.length - 1; i >= 4; i--) {
                slab.deallocate(s[i]);
            }
            slab.deallocate(s[2]);
            slab.deallocate(s[1]);
            range.segment().asSlice(64, 128).fill((byte) 0x41);
            assertThrows(MemoryCorruptionException.class, () -> {
                for (int i = 0; i <= Slab.RECENT; i++) {
                    slab.allocate(64, 8);
                }
            });
            slab.close();
        }
    }

    @Test
    void doubleFreesAndForeignSegmentsShouldBeRejectedAndChangeNothing() {
        for (boolean mac : new boolean[] {false, true}) {
            try (NativeBacked range = NativeBacked.allocate(64 * 16); NativeBacked other = NativeBacked.allocate(4096)) {
                HardenedSlab slab = mac ? HardenedSlab.macLinked(range, 64, KEY) : HardenedSlab.over(range, 64);
                MemorySegment a = slab.allocate(64, 8);
                MemorySegment b = slab.allocate(40, 8);
                slab.deallocate(a);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> slab.deallocate(a));
                assertEquals("double free of slot 0 at 0x" + Long.toHexString(a.address()), e.getMessage());
                assertThrows(IllegalArgumentException.class, () -> slab.deallocate(b.asSlice(8, 8)), "interior slice");
                assertThrows(IllegalArgumentException.class, () -> slab.deallocate(other.segment().asSlice(0, 64)),
                        "foreign");
                assertThrows(IllegalArgumentException.class,
                        () -> slab.deallocate(range.segment().asSlice(2 * 64, 64)), "never handed out");
                assertThrows(NullPointerException.class, () -> slab.deallocate(null));
                assertEquals(1, slab.liveSlots());
                assertTrue(slab.owns(b));
                assertFalse(slab.owns(a));
                assertEquals(a.address(), slab.allocate(64, 8).address(), "the free list is as it was");
                slab.close();
                assertThrows(IllegalStateException.class, () -> slab.allocate(8, 8));
                assertThrows(IllegalStateException.class, slab::close);
                assertEquals(0, range.lifetime().holders(), "the range is released");
            }
        }
    }

    @Test
    void aWriteAfterFreeShouldNotReachTheNextOwner() {
        try (NativeBacked range = NativeBacked.allocate(4096)) {
            HardenedSlab slab = HardenedSlab.over(range, 128);
            MemorySegment stale = slab.allocate(128, 8);
            slab.deallocate(stale);
            stale.fill((byte) 0x77); // through the freed segment
            MemorySegment next = slab.allocate(128, 8);
            assertEquals(stale.address(), next.address());
            assertEquals(-1, next.mismatch(MemorySegment.ofArray(new byte[128])));
            slab.close();
        }
    }

    @Test
    void badArgumentsShouldBeRejectedAndLeaveTheRangeFree() {
        try (NativeBacked range = NativeBacked.allocate(4096)) {
            assertThrows(IllegalArgumentException.class, () -> HardenedSlab.over(range, 0));
            assertThrows(IllegalArgumentException.class, () -> HardenedSlab.over(range, 4097));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> HardenedSlab.macLinked(range, 64, new byte[15]));
            assertEquals("key must be 16 bytes: 15", e.getMessage());
            assertThrows(NullPointerException.class, () -> HardenedSlab.macLinked(range, 64, (byte[]) null));
            assertThrows(NullPointerException.class, () -> HardenedSlab.macLinked(range, 64, (SecureRandom) null));
            assertThrows(NullPointerException.class, () -> HardenedSlab.over(null, 64));
            assertEquals(0, range.lifetime().holders());
            try (HardenedSlab small = HardenedSlab.macLinked(range, 8, KEY)) {
                assertEquals(16, small.slotSize(), "a MAC'd link needs 16 bytes");
                assertTrue(small.macLinked());
                assertNull(small.tryAllocate(17, 8));
                assertThrows(AllocationFailedException.class, () -> small.allocate(17, 8));
            }
        }
    }

    private static void assertNull(Object o) {
        assertTrue(o == null, "expected null: " + o);
    }

    @Test
    void aHugeSlotSizeShouldBeRefusedByName() {
        try (NativeBacked range = NativeBacked.allocate(4096)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> HardenedSlab.over(range, Long.MAX_VALUE - 3));
            assertTrue(e.getMessage().contains("slotSize"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> HardenedSlab.macLinked(range, Long.MAX_VALUE - 3, new SecureRandom()));
            assertTrue(e.getMessage().contains("slotSize"), e.getMessage());
        }
    }
}
