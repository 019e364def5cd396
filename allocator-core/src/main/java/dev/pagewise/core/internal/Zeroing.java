package dev.pagewise.core.internal;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/** How Pagewise writes zeros over memory: every reset, zero-on-free and zeroing pop comes here. */
public final class Zeroing {

    /**
     * From this size a loop of 8-byte stores, which C2 vectorizes, beats {@link MemorySegment#fill}, which calls
     * {@code Unsafe.setMemory} above 32 bytes; below it the fill is the faster. {@code ZeroBench} (allocator-bench)
     * measures both ({@code rangeZero} comes here, {@code segmentFill} is the bare fill): around the threshold,
     * {@code java -jar allocator-bench/target/benchmarks.jar ZeroBench -p size=512,1024,2048 -f 2 -wi 2 -w 300ms
     * -i 5 -r 300ms} gave 20 vs 16 ns at 512 B, 18 vs 27 ns at 1 KiB, 23 vs 57 ns at 2 KiB; the quick run of
     * {@code scripts/bench} at f89520d 25.9 vs 88.0 ns at 4 KiB, 1.41 vs 1.78 us at 64 KiB, 22.7 vs 29.3 us at
     * 1 MiB. The JDK zeroes a new native segment with such a loop too
     * ({@code jdk.internal.foreign.SegmentFactories.initNativeMemory}).
     */
    static final long LOOP_FROM = 1024;

    /**
     * From this size {@link MemorySegment#fill} is the faster again, in pieces of this size. On a 2-CPU AMD EPYC
     * (2 MiB of L2 a core, 32 MiB of L3), {@code java -jar allocator-bench/target/benchmarks.jar ZeroBench -p
     * size=4194304,8388608,12582912,16777216,33554432 -f 2 -wi 3 -w 500ms -i 5 -r 500ms} gave, loop vs fill, 58 vs
     * 73 us at 4 MiB, 116 vs 145 at 8 MiB, 183 vs 220 at 12 MiB, then 462 ± 221 vs 301 ± 5 at 16 MiB and 1914 vs
     * 819 at 32 MiB. The pieces bound how long the thread runs without a safepoint poll (the JVM's {@code setMemory}
     * stub has none, so a GC waits for the whole fill): with one thread zeroing 1 GiB ten times while another asked
     * for every thread's stack each millisecond, {@code -Xlog:safepoint} showed the longest wait to reach a
     * safepoint at 44-47 ms with one fill of 1 GiB, 1.1-3.0 ms with pieces of 16 MiB (three runs each).
     */
    static final long FILL_FROM = 16L << 20;

    /**
     * The loop zeroes chunks of this size from the last to the first, so that the start of the memory is what
     * was written last: an arena reset zeroes what the next request writes again from the start, and finds
     * its first bytes in the L1 cache, as it would after the JDK's zero-on-allocate. (From {@link #FILL_FROM} on,
     * the memory is larger than that cache holds by far and the fill goes first to last.)
     */
    static final long CHUNK = 4096;

    private Zeroing() {
    }

    /**
     * Writes zeros over all of {@code segment}.
     *
     * @param segment the memory to zero
     * @return {@code segment}
     * @throws IllegalStateException if its scope is not alive
     * @throws UnsupportedOperationException if it is read-only
     */
    public static MemorySegment zero(MemorySegment segment) {
        zero(segment, 0, segment.byteSize());
        return segment;
    }

    /**
     * Writes zeros over {@code [offset, offset + length)} of {@code segment}. Small parts are filled through a
     * slice made here, which C2 scalar-replaces once this method is inlined into its caller; the loop and the fill
     * of very large parts live in methods of their own that take the whole segment, so that their size never keeps
     * this one from being inlined (a {@code StackArena} frame that pops 64 bytes is only fast when nothing of it
     * escapes). For the same
     * reason small parts are not zeroed with a few 8-byte stores, though they would save the call into the JVM's
     * {@code setMemory} stub: with eight overlapping stores for parts up to 64 bytes, {@code Frame.close} was no
     * longer inlined into its caller (JMH's perfasm showed it as a compiled method of its own), and the 64-byte
     * frame took 31 ns instead of 9.
     *
     * @param segment the memory
     * @param offset  the start of the part
     * @param length  the length of the part
     * @throws IndexOutOfBoundsException if the part lies outside the segment; nothing is written then
     * @throws IllegalStateException if its scope is not alive
     * @throws UnsupportedOperationException if it is read-only
     */
    public static void zero(MemorySegment segment, long offset, long length) {
        if (length < LOOP_FROM) {
            segment.asSlice(offset, length).fill((byte) 0);
        } else if (length < FILL_FROM) {
            loop(segment, offset, length);
        } else {
            fillInPieces(segment, offset, length);
        }
    }

    private static void fillInPieces(MemorySegment segment, long offset, long length) {
        Objects.checkFromIndexSize(offset, length, segment.byteSize());
        for (long from = offset, end = offset + length; from < end; from += FILL_FROM) {
            segment.asSlice(from, Math.min(FILL_FROM, end - from)).fill((byte) 0);
        }
    }

    private static void loop(MemorySegment segment, long offset, long length) {
        Objects.checkFromIndexSize(offset, length, segment.byteSize());
        long end = offset + length;
        for (long i = offset + (length & ~7L); i < end; i++) {
            segment.set(JAVA_BYTE, i, (byte) 0);
        }
        for (long to = offset + (length & ~7L); to > offset; to -= CHUNK) {
            long from = Math.max(offset, to - CHUNK);
            for (long i = from; i < to; i += 8) {
                segment.set(JAVA_LONG_UNALIGNED, i, 0L);
            }
        }
    }
}
