package dev.pagewise.core;

import dev.pagewise.core.internal.Restricted;
import dev.pagewise.core.internal.Checks;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The memory of a slab: its {@link FixedRange}, held exclusively, seen through a shared arena of the slab's own,
 * so that {@link #closeArena()} makes every segment the slab handed out inaccessible at once. Each slab keeps one
 * and copies {@link #memory()} and {@link #baseAddress()} into final fields of its own for its hot paths.
 * Not thread-safe: the slab orders the calls.
 */
final class SlotMemory {

    private final FixedRange range;
    private final Lifetime.Hold hold;
    private final Arena arena;
    private final MemorySegment memory;
    private final MemorySegment.Scope scope;
    private final long baseAddress;

    private SlotMemory(FixedRange range, Lifetime.Hold hold, Arena arena, MemorySegment memory) {
        this.range = range;
        this.hold = hold;
        this.arena = arena;
        this.memory = memory;
        this.scope = memory.scope();
        this.baseAddress = memory.address();
    }

    /**
     * {@return the memory of {@code range}, which it holds exclusively until {@link #release}} If the arena cannot
     * be made, the range is released before the exception goes on.
     *
     * @throws IllegalStateException if the range is closed or held
     */
    @SuppressWarnings("restricted")
    static SlotMemory take(FixedRange range) {
        Lifetime.Hold hold = range.lifetime().acquireExclusive();
        Arena arena;
        MemorySegment memory;
        try {
            arena = Arena.ofShared();
            memory = Restricted.segmentOf(range).reinterpret(arena, null);
        } catch (RuntimeException | Error e) {
            hold.close();
            throw e;
        }
        return new SlotMemory(range, hold, arena, memory);
    }

    /** {@return the shift that divides by {@code slotSize}, or -1 if it is not a power of two} */
    static int shiftOf(long slotSize) {
        return Long.bitCount(slotSize) == 1 ? Long.numberOfTrailingZeros(slotSize) : -1;
    }

    /**
     * {@return the slot that {@code offset} falls in}: a shift when the slot size is a power of two, as a 64-bit
     * division takes tens of cycles, two of them a slab allocate + free when the slab records block sizes.
     *
     * @param offset   an offset into the slab (for a negative one the result means nothing: callers check it)
     * @param slotSize the slot size
     * @param shift    {@link #shiftOf shiftOf(slotSize)}
     */
    static long indexOf(long offset, long slotSize, int shift) {
        return shift >= 0 ? offset >>> shift : offset / slotSize;
    }

    /**
     * {@return {@code slotSize} rounded up to a multiple of 8, checked against {@code range}}
     *
     * @throws IllegalArgumentException if {@code slotSize} is not positive or larger than the range, or the
     *         range would hold more than {@code maxSlots} slots
     */
    static long roundedSlotSize(FixedRange range, long slotSize, long maxSlots) {
        if (slotSize <= 0 || slotSize > range.byteSize()) {
            throw new IllegalArgumentException("slotSize must be positive and at most the range's "
                    + range.byteSize() + " bytes: " + slotSize);
        }
        long size = Checks.alignUp(slotSize, 8);
        checkSlotCount(range, size, maxSlots);
        return size;
    }

    /**
     * Checks that {@code range} holds at most {@code maxSlots} slots of {@code slotSize} bytes.
     *
     * @throws IllegalArgumentException naming the count if it holds more
     */
    static void checkSlotCount(FixedRange range, long slotSize, long maxSlots) {
        if (range.byteSize() / slotSize > maxSlots) {
            throw new IllegalArgumentException("too many slots: " + range.byteSize() / slotSize + " of " + slotSize
                    + " bytes; at most " + maxSlots);
        }
    }

    /** {@return the whole range, in the slab's scope} */
    MemorySegment memory() {
        return memory;
    }

    /** {@return the address of the range's first byte} */
    long baseAddress() {
        return baseAddress;
    }

    /**
     * {@return the largest alignment every slot of {@code slotSize} bytes has: the slot size's lowest bit, or the
     * base address's if that is lower}
     */
    long slotAlignment(long slotSize) {
        // The 1L << 62 bounds the alignment of a base address of 0.
        return Math.min(Long.lowestOneBit(slotSize), Long.lowestOneBit(baseAddress | (1L << 62)));
    }

    /** {@return whether {@code segment} is in the slab's scope: a slice of a segment the slab handed out} */
    boolean isOwnSegment(MemorySegment segment) {
        return segment.scope().equals(scope);
    }

    /**
     * {@return the exception for a free-list link at slot {@code index} (at {@code offset}) that was written after
     * the free and now reads {@code next}} The message is {@code slab}'s name, the slot and its address, the link,
     * then {@code consequence}.
     */
    MemoryCorruptionException linkWrittenAfterFree(String slab, long index, long offset, long next,
                                                   String consequence) {
        return new MemoryCorruptionException(slab + ": free slot " + index + " at 0x"
                + Long.toHexString(baseAddress + offset) + " was written after it was freed: its link reads "
                + next + consequence, baseAddress + offset);
    }

    /**
     * {@return the exception for a segment the slab did not hand out}
     *
     * @param shape the slab's slots after its address, as in {@code "of 10 x 64 B"}
     */
    IllegalArgumentException notHandedOut(MemorySegment segment, String shape) {
        return new IllegalArgumentException("not a segment this slab handed out: 0x" + Long.toHexString(segment.address())
                + " (" + segment.byteSize() + " bytes); slab at 0x" + Long.toHexString(baseAddress) + " " + shape);
    }

    /**
     * Closes the arena: no segment of it can be used any more. The slab marks itself closed after this returns
     * (a failure leaves it open) and then calls {@link #release}.
     *
     * @throws IllegalStateException if a thread is using a segment of the arena
     */
    void closeArena() {
        arena.close();
    }

    /**
     * Zeroes the first {@code usedBytes} of the range, then tells {@code listener} (if not {@code null}) that the
     * slab closed, then releases the range: each step runs even when the one before throws.
     */
    void release(long usedBytes, AllocationListener listener) {
        try {
            range.zero(0, usedBytes);
        } finally {
            closed(listener);
        }
    }

    /** Runs {@code wipe}, which makes the used part of the range read zero, then goes on as {@link #release(long, AllocationListener)}. */
    void release(Runnable wipe, AllocationListener listener) {
        try {
            wipe.run();
        } finally {
            closed(listener);
        }
    }

    private void closed(AllocationListener listener) {
        try {
            if (listener != null) {
                listener.onClose();
            }
        } finally {
            hold.close();
        }
    }
}
