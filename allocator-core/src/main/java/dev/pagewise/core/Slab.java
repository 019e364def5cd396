package dev.pagewise.core;

import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Checks;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * Fixed-size slots over a {@link FixedRange}, allocated and freed in O(1) through an intrusive free list
 * (the link to the next free slot lives in the free slot itself).
 *
 * <p>A slot is zeroed when it is freed, so every slot handed out reads zero (unless the slab was made
 * {@linkplain #withoutZeroing without zeroing}). Slots never handed out are
 * taken in address order, committing the range as they go. {@link #deallocate} detects a double free
 * and a segment that is not one of this slab's slots, with {@link IllegalArgumentException}, through a
 * bitmap of live slots. Segments share the range's scope: a freed slot's old segment is not revoked.
 * Not thread-safe.
 */
public final class Slab implements Allocator, AutoCloseable {

    private static final long NONE = -1;

    private final FixedRange range;
    private final MemorySegment memory;
    private final long baseAddress;
    private final long slotSize;
    private final long slotAlignment;
    private final long slotCount;
    private final int slotShift;
    private final boolean zeroing;
    private final long[] live;
    private long freeHead = NONE;
    private long fresh;
    private long liveCount;
    private long committedEnd;
    private boolean closed;

    private Slab(FixedRange range, long slotSize, boolean zeroing) {
        this.range = range;
        this.slotSize = slotSize;
        this.zeroing = zeroing;
        this.slotShift = Long.bitCount(slotSize) == 1 ? Long.numberOfTrailingZeros(slotSize) : -1;
        range.pin();
        this.memory = range.segment();
        this.baseAddress = memory.address();
        this.slotAlignment = Math.min(Long.lowestOneBit(slotSize), Long.lowestOneBit(baseAddress | (1L << 62)));
        this.slotCount = range.byteSize() / slotSize;
        this.live = new long[(int) ((slotCount + 63) >>> 6)];
        this.committedEnd = range.committed();
    }

    /**
     * {@return a slab of {@code slotSize}-byte slots (rounded up to a multiple of 8) over {@code range}}
     *
     * @throws IllegalArgumentException if {@code slotSize} is not positive or the range holds more than
     *         2^37 slots
     */
    public static Slab over(FixedRange range, long slotSize) {
        return create(range, slotSize, true);
    }

    /**
     * {@return a slab like {@link #over}, except that freed slots are not zeroed: a slot handed out holds
     * whatever its previous user left, as with {@code malloc} or Netty's pooled buffers} For callers that
     * write every byte they read; never for memory that passes between tenants.
     */
    public static Slab withoutZeroing(FixedRange range, long slotSize) {
        return create(range, slotSize, false);
    }

    private static Slab create(FixedRange range, long slotSize, boolean zeroing) {
        if (slotSize <= 0) {
            throw new IllegalArgumentException("slotSize must be positive: " + slotSize);
        }
        long size = Checks.alignUp(slotSize, 8);
        if (range.byteSize() / size > (1L << 37)) {
            throw new IllegalArgumentException("too many slots: " + range.byteSize() / size);
        }
        return new Slab(range, size, zeroing);
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        MemorySegment segment = tryAllocate(byteSize, byteAlignment);
        if (segment == null) {
            throw new AllocationFailedException("Slab(" + slotSize + ")", byteSize, byteAlignment,
                    (slotCount - liveCount) * slotSize, slotCount * slotSize);
        }
        return segment;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException also if the request does not fit a slot, in size or alignment
     */
    @Override
    public MemorySegment tryAllocate(long byteSize, long byteAlignment) {
        long offset = take(byteSize, byteAlignment);
        return offset < 0 ? null : memory.asSlice(offset, byteSize);
    }

    /** Takes a slot; {@return its offset, or -1 when the slab is full} */
    long take(long byteSize, long byteAlignment) {
        Checks.checkRequest(byteSize, byteAlignment);
        if (byteSize > slotSize || byteAlignment > slotAlignment) {
            throw new IllegalArgumentException("Slab(" + slotSize + ", align " + slotAlignment + ") cannot hold "
                    + byteSize + " bytes aligned to " + byteAlignment);
        }
        if (closed) {
            throw new IllegalStateException("Slab is closed");
        }
        long index;
        long offset;
        if (freeHead != NONE) {
            index = freeHead;
            offset = index * slotSize;
            freeHead = memory.get(JAVA_LONG_UNALIGNED, offset);
            memory.set(JAVA_LONG_UNALIGNED, offset, 0L);
        } else if (fresh < slotCount) {
            index = fresh;
            offset = index * slotSize;
            if (offset + slotSize > committedEnd) {
                range.commit(offset, slotSize);
                committedEnd = range.committed();
            }
            fresh++;
        } else {
            return -1;
        }
        live[(int) (index >>> 6)] |= 1L << index;
        liveCount++;
        return offset;
    }

    /**
     * Frees a slot: it is zeroed and goes to the head of the free list.
     *
     * @throws IllegalArgumentException if {@code segment} is not a live slot of this slab
     */
    @Override
    public void deallocate(MemorySegment segment) {
        if (closed) {
            throw new IllegalStateException("Slab is closed");
        }
        long offset = segment.address() - baseAddress;
        long index = slotShift >= 0 ? offset >>> slotShift : offset / slotSize;
        if (offset < 0 || index >= slotCount || index * slotSize != offset || segment.byteSize() > slotSize) {
            throw new IllegalArgumentException("not a slot of this slab: 0x" + Long.toHexString(segment.address())
                    + " (" + segment.byteSize() + " bytes); slab at 0x" + Long.toHexString(baseAddress) + " of "
                    + slotCount + " x " + slotSize + " B");
        }
        int word = (int) (index >>> 6);
        long bit = 1L << index;
        if ((live[word] & bit) == 0) {
            throw new IllegalArgumentException("double free of slot " + index + " at 0x"
                    + Long.toHexString(segment.address()));
        }
        live[word] &= ~bit;
        liveCount--;
        if (zeroing) {
            memory.asSlice(offset, slotSize).fill((byte) 0);
        }
        memory.set(JAVA_LONG_UNALIGNED, offset, freeHead);
        freeHead = index;
    }

    /** {@return whether {@code segment} starts at a slot of this slab} */
    public boolean owns(MemorySegment segment) {
        long offset = segment.address() - baseAddress;
        return offset >= 0 && offset < slotCount * slotSize && offset % slotSize == 0;
    }

    /** {@return the size of a slot} */
    public long slotSize() {
        return slotSize;
    }

    /** {@return the largest alignment every slot has} */
    public long slotAlignment() {
        return slotAlignment;
    }

    /** {@return the number of live slots} */
    public long liveSlots() {
        return liveCount;
    }

    /** {@return the number of slots} */
    public long slotCount() {
        return slotCount;
    }

    @Override
    public long capacity() {
        return slotCount * slotSize;
    }

    /**
     * Closes the slab: the slots it used are zeroed, so the range reads zero again, and it is unpinned.
     *
     * @throws IllegalStateException if already closed
     */
    @Override
    public void close() {
        if (closed) {
            throw new IllegalStateException("Slab is closed");
        }
        closed = true;
        memory.asSlice(0, fresh * slotSize).fill((byte) 0);
        range.unpin();
    }

    @Override
    public String toString() {
        return "Slab[" + liveCount + " of " + slotCount + " x " + ByteSizes.format(slotSize) + "]";
    }
}
