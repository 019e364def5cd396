package dev.pagewise.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The bitmap of a slab's live slots, one bit a slot in a {@code long[]} the slab owns (and may grow): bit
 * {@code index & 63} of word {@code index >>> 6}. Static, so a slab's hot path reads its own array with no call
 * it cannot inline. The plain operations are for a slab used by one thread; the atomic ones for a bitmap that
 * threads change at once, other bits of one word included.
 */
final class LiveSlots {

    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private LiveSlots() {
    }

    /** {@return the words a bitmap of {@code slots} slots needs} */
    static int words(long slots) {
        return (int) ((slots + 63) >>> 6);
    }

    /** {@return whether slot {@code index} is live} */
    static boolean isLive(long[] live, long index) {
        return (live[(int) (index >>> 6)] & (1L << index)) != 0;
    }

    /** Marks slot {@code index} live. */
    static void set(long[] live, long index) {
        live[(int) (index >>> 6)] |= 1L << index;
    }

    /** Marks slot {@code index} free. */
    static void clear(long[] live, long index) {
        live[(int) (index >>> 6)] &= ~(1L << index);
    }

    /** {@return whether slot {@code index} is live, read opaquely: a bitmap other threads change} */
    static boolean isLiveOpaque(long[] live, long index) {
        return ((long) WORDS.getOpaque(live, (int) (index >>> 6)) & (1L << index)) != 0;
    }

    /** Marks slot {@code index} live atomically: other threads may change other bits of its word at once. */
    static void setAtomic(long[] live, long index) {
        WORDS.getAndBitwiseOr(live, (int) (index >>> 6), 1L << index);
    }

    /** Marks slot {@code index} free atomically; {@return whether it was live: of two threads, one sees it so} */
    static boolean clearAtomic(long[] live, long index) {
        long bit = 1L << index;
        return ((long) WORDS.getAndBitwiseAnd(live, (int) (index >>> 6), ~bit) & bit) != 0;
    }
}
