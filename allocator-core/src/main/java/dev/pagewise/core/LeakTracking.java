package dev.pagewise.core;

import dev.pagewise.core.internal.ByteSizes;

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
 * on demand ({@link #leaks()}) and at {@link #close()}. Levels follow Netty's leak detector: with
 * {@link Level#DISABLED}, {@link #wrap} returns the inner allocator itself, so it costs nothing.
 * Thread-safe when the inner allocator is.
 */
public final class LeakTracking extends AllocatorWrapper implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(LeakTracking.class.getName());

    /** How much to record. */
    public enum Level {
        /** Not tracked at all: {@link #wrap} returns the inner allocator. */
        DISABLED,
        /** Every live block is tracked; one allocation in {@code samplingInterval} records its stack. */
        SAMPLED,
        /** Every live block is tracked with its stack. */
        PARANOID
    }

    /** A live block: its address, size and, if sampled, where it was allocated. */
    public record Leak(long address, long byteSize, StackTraceElement[] site) {
        @Override
        public String toString() {
            return ByteSizes.format(byteSize) + " at 0x" + Long.toHexString(address)
                    + (site == null ? " (site not sampled)" : " allocated at " + Arrays.toString(site));
        }
    }

    private final Level level;
    private final int samplingInterval;
    private final AtomicLong counter = new AtomicLong();
    /** Live blocks by address and size: a zero-length block may share its address with the next block. */
    private record Key(long address, long byteSize) {
    }

    private final Map<Key, Leak> live = new ConcurrentHashMap<>();

    private LeakTracking(Allocator inner, Level level, int samplingInterval) {
        super(inner);
        this.level = level;
        this.samplingInterval = samplingInterval;
    }

    /**
     * {@return {@code inner} tracked at {@code level}, or {@code inner} itself when disabled}
     *
     * @param samplingInterval with {@link Level#SAMPLED}, record the stack of one allocation in this many
     * @throws NullPointerException if {@code inner} or {@code level} is {@code null}
     * @throws IllegalArgumentException if {@code samplingInterval} is not positive
     */
    public static Allocator wrap(Allocator inner, Level level, int samplingInterval) {
        Objects.requireNonNull(inner, "inner");
        Objects.requireNonNull(level, "level");
        if (samplingInterval <= 0) {
            throw new IllegalArgumentException("samplingInterval must be positive: " + samplingInterval);
        }
        return level == Level.DISABLED ? inner : new LeakTracking(inner, level, samplingInterval);
    }

    /** {@return {@code inner} tracked with every stack recorded} @throws NullPointerException if {@code inner} is {@code null} */
    public static LeakTracking paranoid(Allocator inner) {
        return new LeakTracking(Objects.requireNonNull(inner, "inner"), Level.PARANOID, 1);
    }

    @Override
    MemorySegment allocate(long byteSize, long byteAlignment, boolean orThrow) {
        MemorySegment segment = innerAllocate(byteSize, byteAlignment, orThrow);
        if (segment != null) {
            boolean sample = level == Level.PARANOID || counter.getAndIncrement() % samplingInterval == 0;
            StackTraceElement[] site = sample ? trimmed(new Throwable().getStackTrace()) : null;
            live.put(new Key(segment.address(), segment.byteSize()), new Leak(segment.address(), byteSize, site));
        }
        return segment;
    }

    private static StackTraceElement[] trimmed(StackTraceElement[] trace) {
        int from = 0;
        while (from < trace.length && trace[from].getClassName().startsWith("dev.pagewise.core.")) {
            from++;
        }
        return Arrays.copyOfRange(trace, from, Math.min(trace.length, from + 8));
    }

    /**
     * Frees through the inner allocator and stops tracking the block, if the inner allocator owned it (for
     * an arena: a block of its current generation). A stale or foreign free leaves the tracking as it was.
     */
    @Override
    public void deallocate(MemorySegment segment) {
        boolean owned = inner.owns(segment);
        inner.deallocate(segment);
        if (owned) {
            live.remove(new Key(segment.address(), segment.byteSize()));
        }
    }

    /** Resets the inner allocator, then forgets every block. If it cannot reset, nothing changes. */
    @Override
    public ResetReport reset() {
        ResetReport report = resettable().reset();
        live.clear();
        return report;
    }

    /** {@return the blocks allocated and not yet freed, in no particular order} */
    public List<Leak> leaks() {
        return new ArrayList<>(live.values());
    }

    /** {@return where the live block at {@code address} was allocated, or {@code null} if unknown} */
    public StackTraceElement[] siteOf(long address) {
        for (Leak leak : live.values()) {
            if (leak.address() == address && leak.byteSize() > 0) {
                return leak.site();
            }
        }
        return null;
    }

    /** Reports every live block as a leak, at {@code WARNING} through {@link System.Logger}. */
    @Override
    public void close() {
        List<Leak> leaks = leaks();
        if (!leaks.isEmpty()) {
            long bytes = leaks.stream().mapToLong(Leak::byteSize).sum();
            LOG.log(System.Logger.Level.WARNING, "{0} blocks ({1}) leaked:\n  {2}", leaks.size(),
                    ByteSizes.format(bytes), String.join("\n  ", leaks.stream().map(Leak::toString).toList()));
        }
    }
}
