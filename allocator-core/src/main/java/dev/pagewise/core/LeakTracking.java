package dev.pagewise.core;

import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Events;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records each live block and, for a sample of them, where it was allocated; reports what is still live
 * on demand ({@link #leaks()}) and, as Apache Arrow does, when the allocator closes: a {@code WARNING}
 * through {@link System.Logger} with the leaked blocks, their bytes and (when sampled) their sites. Levels
 * follow Netty's leak detector. An {@link AllocationListener}: a block leaves the record when the allocator
 * really frees it, and everything when it resets, so a stale free after a reset never drops a live block.
 * Thread-safe.
 */
public final class LeakTracking implements AllocationListener {

    private static final System.Logger LOG = System.getLogger(LeakTracking.class.getName());

    /** How much to record. */
    public enum Level {
        /** Nothing is recorded. */
        DISABLED,
        /** Every live block is recorded; one allocation in {@code samplingInterval} records its stack. */
        SAMPLED,
        /** Every live block is recorded with its stack. */
        PARANOID
    }

    /**
     * A live block: its address, size and, if sampled, where it was allocated.
     *
     * @param address  the block's address
     * @param byteSize the block's size, in bytes
     * @param site     up to eight frames of the allocating stack, from the innermost one outside
     *                 {@code dev.pagewise.core}; {@code null} if the allocation was not sampled
     */
    public record Leak(long address, long byteSize, StackTraceElement[] site) {
        @Override
        public String toString() {
            return ByteSizes.format(byteSize) + " at 0x" + Long.toHexString(address)
                    + (site == null ? " (site not sampled)" : " allocated at " + Arrays.toString(site));
        }
    }

    /** Live blocks by address and size: a zero-length block may share its address with the next block. */
    private record Key(long address, long byteSize) {
    }

    private final Level level;
    private final int samplingInterval;
    private final AtomicLong counter = new AtomicLong();
    private final Map<Key, Leak> live = new ConcurrentHashMap<>();

    private LeakTracking(Level level, int samplingInterval) {
        this.level = level;
        this.samplingInterval = samplingInterval;
    }

    /**
     * {@return a leak tracker at {@code level}}
     *
     * @param level            how much to record
     * @param samplingInterval with {@link Level#SAMPLED}, record the stack of one allocation in this many
     * @throws NullPointerException if {@code level} is {@code null}
     * @throws IllegalArgumentException if {@code samplingInterval} is not positive
     */
    public static LeakTracking create(Level level, int samplingInterval) {
        Objects.requireNonNull(level, "level");
        if (samplingInterval <= 0) {
            throw new IllegalArgumentException("samplingInterval must be positive: " + samplingInterval);
        }
        return new LeakTracking(level, samplingInterval);
    }

    /** {@return a leak tracker that records every stack} */
    public static LeakTracking paranoid() {
        return new LeakTracking(Level.PARANOID, 1);
    }

    @Override
    public void onAllocation(MemorySegment segment) {
        if (level == Level.DISABLED) {
            return;
        }
        boolean sample = level == Level.PARANOID || counter.getAndIncrement() % samplingInterval == 0;
        StackTraceElement[] site = sample ? trimmed(new Throwable().getStackTrace()) : null;
        live.put(new Key(segment.address(), segment.byteSize()), new Leak(segment.address(), segment.byteSize(), site));
    }

    private static StackTraceElement[] trimmed(StackTraceElement[] trace) {
        int from = 0;
        while (from < trace.length && trace[from].getClassName().startsWith("dev.pagewise.core.")) {
            from++;
        }
        return Arrays.copyOfRange(trace, from, Math.min(trace.length, from + 8));
    }

    @Override
    public void onRelease(MemorySegment segment) {
        live.remove(new Key(segment.address(), segment.byteSize()));
    }

    /** {@inheritDoc} Here: the record moves to the resized block and keeps where the block was first allocated. */
    @Override
    public void onResize(MemorySegment segment, MemorySegment resized) {
        if (level == Level.DISABLED) {
            return;
        }
        Leak before = live.remove(new Key(segment.address(), segment.byteSize()));
        live.put(new Key(resized.address(), resized.byteSize()),
                new Leak(resized.address(), resized.byteSize(), before == null ? null : before.site()));
    }

    @Override
    public void onReset() {
        live.clear();
    }

    /** Reports every block still live as a leak, at {@code WARNING} and as a {@code dev.pagewise.Leak} JFR event, then forgets them. */
    @Override
    public void onClose() {
        List<Leak> leaks = leaks();
        live.clear();
        if (!leaks.isEmpty()) {
            long bytes = leaks.stream().mapToLong(Leak::byteSize).sum();
            Events.leak(leaks.size(), bytes, leaks.stream().map(Leak::site).filter(Objects::nonNull).findFirst().orElse(null));
            LOG.log(System.Logger.Level.WARNING, "{0} blocks ({1}) leaked:\n  {2}", leaks.size(),
                    ByteSizes.format(bytes), String.join("\n  ", leaks.stream().map(Leak::toString).toList()));
        }
    }

    /** {@return the blocks allocated and not yet freed, in no particular order} */
    public List<Leak> leaks() {
        return new ArrayList<>(live.values());
    }

    /**
     * {@return where the live block at {@code address} was allocated, or {@code null} if unknown} A
     * zero-length block is never found.
     *
     * @param address the address of a live block
     */
    public StackTraceElement[] siteOf(long address) {
        for (Leak leak : live.values()) {
            if (leak.address() == address && leak.byteSize() > 0) {
                return leak.site();
            }
        }
        return null;
    }
}
