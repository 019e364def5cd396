package dev.pagewise.os.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counters kept per slot of a pool, each written only by the thread that holds the slot at the time (the one
 * that claimed it, then the one that ends its lease), so that counting needs no atomic instruction: the hand-over
 * of a slot orders one holder's writes before the next one's. Each slot's counters have a cache line of their
 * own, so that leases of different slots never write to one line. Sums are read racily, as {@code LongAdder}'s.
 */
public final class SlotCounters {

    /** Counters a slot can have: a cache line of longs. */
    public static final int MAX_COUNTERS = 8;
    /**
     * Longs from one slot's counters to the next: two cache lines, the counters in the second, so that whatever
     * the array's alignment, no line holds counters of two slots.
     */
    private static final int STRIDE = 2 * MAX_COUNTERS;
    /** Slots the counters can hold: one long array's worth. */
    public static final int MAX_SLOTS = Integer.MAX_VALUE / STRIDE;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] counts;
    private final int counters;

    /**
     * Creates counters for {@code slots} slots, {@code counters} each.
     *
     * @throws IllegalArgumentException if {@code slots} is not in {@code [0, MAX_SLOTS]} or {@code counters} not
     *         in {@code [1, MAX_COUNTERS]}
     */
    public SlotCounters(int slots, int counters) {
        if (slots < 0 || slots > MAX_SLOTS) {
            throw new IllegalArgumentException("slots must be in [0, " + MAX_SLOTS + "]: " + slots);
        }
        if (counters < 1 || counters > MAX_COUNTERS) {
            throw new IllegalArgumentException("counters must be in [1, " + MAX_COUNTERS + "]: " + counters);
        }
        this.counts = new long[slots * STRIDE];
        this.counters = counters;
    }

    /** Adds one to {@code counter} of {@code slot}; only the thread holding the slot may call it. */
    public void increment(int slot, int counter) {
        int i = index(slot, counter);
        LONGS.setOpaque(counts, i, (long) LONGS.getOpaque(counts, i) + 1);
    }

    /** {@return {@code counter} summed over all slots} */
    public long sum(int counter) {
        index(0, counter);
        long sum = 0;
        for (int i = MAX_COUNTERS + counter; i < counts.length; i += STRIDE) {
            sum += (long) LONGS.getOpaque(counts, i);
        }
        return sum;
    }

    private int index(int slot, int counter) {
        if (counter < 0 || counter >= counters) {
            throw new IndexOutOfBoundsException("counter " + counter + " of " + counters);
        }
        return slot * STRIDE + MAX_COUNTERS + counter;
    }
}
