package dev.pagewise.core;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what passes through an allocator: allocations, frees, failures, resets, live and peak bytes.
 * Changes nothing else.
 *
 * <p>{@code new Statistics(inner)} counts with lock-free atomics ({@link LongAdder}; live bytes in one
 * {@link AtomicLong} so the peak is exact) and is as thread-safe as what it wraps.
 * {@link #confined(Allocator)} counts in plain fields, for a single-owner allocator used by one thread:
 * cheaper, and wrong if several threads use it.
 */
public final class Statistics extends AllocatorWrapper {

    private final boolean confined;
    private long plainAllocations;
    private long plainFrees;
    private long plainFailures;
    private long plainResets;
    private long plainLive;
    private long plainPeak;

    private final LongAdder allocations = new LongAdder();
    private final LongAdder frees = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder resets = new LongAdder();
    private final AtomicLong live = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();

    /**
     * Counts what passes through {@code inner}, thread-safely.
     *
     * @throws NullPointerException if {@code inner} is {@code null}
     */
    public Statistics(Allocator inner) {
        this(inner, false);
    }

    private Statistics(Allocator inner, boolean confined) {
        super(inner);
        this.confined = confined;
    }

    /** {@return statistics in plain fields, for an allocator that only one thread uses} */
    public static Statistics confined(Allocator inner) {
        return new Statistics(inner, true);
    }

    @Override
    MemorySegment allocate(long byteSize, long byteAlignment, boolean orThrow) {
        MemorySegment segment;
        try {
            segment = innerAllocate(byteSize, byteAlignment, orThrow);
        } catch (AllocationFailedException e) {
            failed();
            throw e;
        }
        if (segment == null) {
            failed();
            return null;
        }
        if (confined) {
            plainAllocations++;
            plainLive += byteSize;
            if (plainLive > plainPeak) {
                plainPeak = plainLive;
            }
            return segment;
        }
        allocations.increment();
        long now = live.addAndGet(byteSize);
        long max = peak.get();
        while (now > max && !peak.compareAndSet(max, now)) {
            max = peak.get();
        }
        return segment;
    }

    private void failed() {
        if (confined) {
            plainFailures++;
        } else {
            failures.increment();
        }
    }

    /** Frees through the inner allocator; counted only when it really takes the block back. */
    @Override
    public void deallocate(MemorySegment segment) {
        boolean counts = countsAsFree(segment);
        inner.deallocate(segment);
        if (!counts) {
            return;
        }
        if (confined) {
            plainFrees++;
            plainLive -= segment.byteSize();
        } else {
            frees.increment();
            live.addAndGet(-segment.byteSize());
        }
    }

    @Override
    public ResetReport reset() {
        ResetReport report = super.reset();
        if (confined) {
            plainResets++;
            plainLive = 0;
        } else {
            resets.increment();
            live.set(0);
        }
        return report;
    }

    /** {@return the counters now} Consistent per counter, not across counters while others allocate. */
    public AllocationStats snapshot() {
        if (confined) {
            return new AllocationStats(plainAllocations, plainFrees, plainFailures, plainResets, plainLive, plainPeak);
        }
        return new AllocationStats(allocations.sum(), frees.sum(), failures.sum(), resets.sum(), live.get(), peak.get());
    }

    @Override
    public String toString() {
        return "Statistics" + snapshot();
    }
}
