package dev.pagewise.core.internal;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The size of each live block of a slab, indexed by slot, for slabs that a listener hears: the listener then
 * hears a block as it is now, and a segment of another size (the stale segment of a block resized since, a slice
 * of a block) is refused. An {@code int} of heap per slot when slots fit an {@code int}, else a {@code long}; a
 * slab nobody listens to keeps none. Not thread-safe.
 */
public final class BlockSizes {

    /** The most slots recorded: the longest array. */
    public static final long MAX_SLOTS = Integer.MAX_VALUE - 8;

    private int[] narrow;
    private long[] wide;

    /**
     * Records sizes of blocks up to {@code slotSize} bytes, for {@code slots} slots to begin with.
     *
     * @param slotSize the size of a slot
     * @param slots    the slots to make room for, at most {@link #MAX_SLOTS}
     */
    public BlockSizes(long slotSize, long slots) {
        if (slotSize <= Integer.MAX_VALUE) {
            narrow = new int[(int) slots];
        } else {
            wide = new long[(int) slots];
        }
    }

    /**
     * Makes room for at least {@code slots} slots.
     *
     * @param slots the slots to make room for, at most {@link #MAX_SLOTS}
     */
    public void ensure(long slots) {
        int now = narrow != null ? narrow.length : wide.length;
        if (slots > now) {
            int length = (int) Math.min(Math.max(slots, 2L * now), MAX_SLOTS);
            if (narrow != null) {
                narrow = Arrays.copyOf(narrow, length);
            } else {
                wide = Arrays.copyOf(wide, length);
            }
        }
    }

    /**
     * Records the size of the block in slot {@code index}.
     *
     * @param index the slot
     * @param size  the block's size, at most the slot size
     */
    public void set(long index, long size) {
        if (narrow != null) {
            narrow[(int) index] = (int) size;
        } else {
            wide[(int) index] = size;
        }
    }

    /**
     * Refuses {@code segment}, the block of live slot {@code index} by address, if its size is not the block's
     * size now.
     *
     * @param segment the segment a caller passed
     * @param index   its slot
     * @throws IllegalArgumentException if the sizes differ, naming both
     */
    public void check(MemorySegment segment, long index) {
        long size = narrow != null ? narrow[(int) index] : wide[(int) index];
        if (segment.byteSize() != size) {
            throw new IllegalArgumentException("not the block as it is now: 0x" + Long.toHexString(segment.address())
                    + " (" + segment.byteSize() + " bytes); the block in slot " + index + " has " + size
                    + " bytes (a stale segment of a block resized since, or a slice)");
        }
    }
}
