package dev.pagewise.core;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A freed block reads zero through a view that survives the free, slack included; live blocks are wiped at close. */
class ZeroizeOnFreeTest {

    private static boolean allZero(MemorySegment s) {
        return s.mismatch(MemorySegment.ofArray(new byte[(int) s.byteSize()])) == -1;
    }

    @Test
    void aFreedSlotShouldReadZeroSlackIncluded() {
        // a HardenedSlab keeps a freed slot's bytes until it is taken again: the wipe is the wrapper's
        try (NativeBacked range = NativeBacked.allocate(4096)) {
            HardenedSlab slab = HardenedSlab.over(range, 64);
            ZeroizeOnFree zeroize = ZeroizeOnFree.over(slab);
            MemorySegment secret = zeroize.allocate(40, 8);
            MemorySegment kept = range.segment().asSlice(secret.address() - range.segment().address(), 64);
            secret.fill((byte) 0x5A);
            kept.asSlice(40, 24).fill((byte) 0x5B); // the slot's slack, written as native code could
            MemorySegment plain = slab.allocate(64, 8);
            plain.fill((byte) 0x5C);
            assertEquals(2, slab.liveSlots());
            assertEquals(1, zeroize.liveBlocks());
            zeroize.deallocate(secret);
            assertTrue(allZero(kept), "the whole slot reads zero");
            assertEquals(0, zeroize.liveBlocks());
            slab.deallocate(plain);
            MemorySegment plainKept = range.segment().asSlice(plain.address() - range.segment().address(), 64);
            assertFalse(allZero(plainKept), "without the wrapper the freed slot keeps its bytes, so the test can fail");
            slab.close();
        }
    }

    @Test
    void theWipeShouldStillHappenOnceTheFreeIsCompiled() {
        // enough iterations for the JIT to compile deallocate; every wipe is read back through the range
        try (NativeBacked range = NativeBacked.allocate(4096)) {
            HardenedSlab slab = HardenedSlab.over(range, 64);
            ZeroizeOnFree zeroize = ZeroizeOnFree.over(slab);
            MemorySegment view = range.segment().asSlice(0, 64);
            for (int i = 0; i < 200_000; i++) {
                MemorySegment block = zeroize.allocate(64, 8);
                block.fill((byte) (i | 1));
                zeroize.deallocate(block);
                if (!allZero(view)) {
                    throw new AssertionError("iteration " + i + ": the freed slot still holds its bytes");
                }
            }
            slab.close();
        }
    }

    @Test
    void aSizeClassedBlockShouldBeWipedToTheSizeOfItsClass() {
        try (NativeBacked range = NativeBacked.allocate(1 << 20);
             SizeClassed classes = SizeClassed.builder(range).withoutZeroing().build()) {
            ZeroizeOnFree zeroize = ZeroizeOnFree.over(classes);
            MemorySegment block = zeroize.allocate(20, 8); // a 24-byte class
            MemorySegment kept = range.segment().asSlice(block.address() - range.segment().address(), 24);
            kept.fill((byte) 0x33);
            zeroize.deallocate(block);
            // the class's slab links the slot into its free list in the first eight bytes; the rest is wiped
            assertTrue(allZero(kept.asSlice(8, 16)), "slack included");
        }
    }

    @Test
    void aFreeABumpArenaIgnoresShouldStillWipe() {
        try (NativeBacked range = NativeBacked.allocate(4096); BumpArena arena = BumpArena.over(range)) {
            ZeroizeOnFree zeroize = ZeroizeOnFree.over((Allocator) arena);
            MemorySegment block = zeroize.allocate(100, 8);
            block.fill((byte) 7);
            zeroize.deallocate(block);
            assertTrue(allZero(block), "the block's own segment survives the free and reads zero");
            assertTrue(arena.owns(block), "the arena ignored the free");
        }
    }

    @Test
    void closeShouldWipeEveryLiveBlockBeforeTheInnerAllocatorCloses() {
        try (NativeBacked range = NativeBacked.allocate(4096)) {
            Recording inner = new Recording(range.segment());
            ZeroizeOnFree zeroize = ZeroizeOnFree.over(inner);
            zeroize.allocate(32, 8).fill((byte) 1);
            zeroize.allocate(16, 16).fill((byte) 2);
            assertEquals(2, zeroize.liveBlocks());
            zeroize.close();
            assertTrue(inner.closed);
            assertTrue(allZero(MemorySegment.ofArray(inner.atClose)), "wiped before the inner close");
        }
    }

    @Test
    void aResetTheInnerAllocatorCannotDoShouldChangeNothing() {
        try (NativeBacked range = NativeBacked.allocate(4096)) {
            Recording inner = new Recording(range.segment());
            ZeroizeOnFree zeroize = ZeroizeOnFree.over(inner);
            MemorySegment block = zeroize.allocate(32, 8);
            block.fill((byte) 3);
            assertThrows(UnsupportedOperationException.class, zeroize::reset);
            assertEquals(1, zeroize.liveBlocks());
            assertEquals(3, block.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 31));
        }
    }

    /** A bump allocator over a segment that keeps a copy of the segment's bytes when it is closed. */
    private static final class Recording implements Allocator, AutoCloseable {
        private final MemorySegment memory;
        private long top;
        private byte[] atClose;
        private boolean closed;

        Recording(MemorySegment memory) {
            this.memory = memory;
        }

        @Override
        public MemorySegment allocate(long byteSize, long byteAlignment) {
            MemorySegment s = tryAllocate(byteSize, byteAlignment);
            if (s == null) {
                throw new AllocationFailedException("Recording", byteSize, byteAlignment, memory.byteSize() - top,
                        memory.byteSize());
            }
            return s;
        }

        @Override
        public MemorySegment tryAllocate(long byteSize, long byteAlignment) {
            long offset = (top + byteAlignment - 1) & -byteAlignment;
            if (offset + byteSize > memory.byteSize()) {
                return null;
            }
            top = offset + byteSize;
            return memory.asSlice(offset, byteSize);
        }

        @Override
        public boolean owns(MemorySegment segment) {
            return segment != null && segment.address() >= memory.address()
                    && segment.address() + segment.byteSize() <= memory.address() + top;
        }

        @Override
        public long capacity() {
            return memory.byteSize();
        }

        @Override
        public void close() {
            atClose = memory.asSlice(0, top).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            closed = true;
        }
    }
}
