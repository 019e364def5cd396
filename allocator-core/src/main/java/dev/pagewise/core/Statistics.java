package dev.pagewise.core;

import dev.pagewise.core.internal.MBeans;

import javax.management.ObjectName;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what an allocator does: allocations, frees, failures, resets, live and peak bytes. An
 * {@link AllocationListener}: attach it when building the allocator (a listened {@link BumpArena} is still a
 * {@code BumpArena}), or through {@link Observed#over} for any other. The counts are exact because the
 * allocator reports only what it did: a free a bump arena ignores is no free, a double free a slab rejects is
 * none either, and a reset frees everything live. A block resized in place changes the live bytes only.
 *
 * <p>{@link #create()} counts with lock-free atomics ({@link LongAdder}; live bytes in one {@link AtomicLong}
 * so the peak is exact), for any allocator. {@link #confined()} counts in plain fields, for an allocator only
 * one thread uses: cheaper, and wrong if several threads use it.
 */
public final class Statistics implements AllocationListener {

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

    private Statistics(boolean confined) {
        this.confined = confined;
    }

    /** {@return new statistics, thread-safe} */
    public static Statistics create() {
        return new Statistics(false);
    }

    /** {@return new statistics in plain fields, for an allocator that only one thread uses} */
    public static Statistics confined() {
        return new Statistics(true);
    }

    @Override
    public void onAllocation(MemorySegment segment) {
        long size = segment.byteSize();
        if (confined) {
            plainAllocations++;
            plainLive += size;
            if (plainLive > plainPeak) {
                plainPeak = plainLive;
            }
            return;
        }
        allocations.increment();
        long now = live.addAndGet(size);
        long max = peak.get();
        while (now > max && !peak.compareAndSet(max, now)) {
            max = peak.get();
        }
    }

    @Override
    public void onFailedAllocation(long byteSize, long byteAlignment) {
        if (confined) {
            plainFailures++;
        } else {
            failures.increment();
        }
    }

    @Override
    public void onRelease(MemorySegment segment) {
        if (confined) {
            plainFrees++;
            plainLive -= segment.byteSize();
        } else {
            frees.increment();
            live.addAndGet(-segment.byteSize());
        }
    }

    /**
     * {@inheritDoc} Here: live bytes change by the difference (the peak follows a growth); a block resized in
     * place counts as neither an allocation nor a free. A block that moves is an allocation and a free.
     */
    @Override
    public void onResize(MemorySegment segment, MemorySegment resized) {
        long delta = resized.byteSize() - segment.byteSize();
        if (confined) {
            plainLive += delta;
            if (plainLive > plainPeak) {
                plainPeak = plainLive;
            }
            return;
        }
        long now = live.addAndGet(delta);
        long max = peak.get();
        while (now > max && !peak.compareAndSet(max, now)) {
            max = peak.get();
        }
    }

    /** {@inheritDoc} Here: not a failure (the block is usually moved next, and that allocation is counted). */
    @Override
    public void onFailedResize(MemorySegment segment, long newSize) {
    }

    @Override
    public void onReset() {
        if (confined) {
            plainResets++;
            plainLive = 0;
        } else {
            resets.increment();
            live.set(0);
        }
    }

    /** {@return the counters now} Consistent per counter, not across counters while others allocate. */
    public AllocationStats snapshot() {
        if (confined) {
            return new AllocationStats(plainAllocations, plainFrees, plainFailures, plainResets, plainLive, plainPeak);
        }
        return new AllocationStats(allocations.sum(), frees.sum(), failures.sum(), resets.sum(), live.get(), peak.get());
    }

    /**
     * Registers these statistics in the platform MBean server as {@code dev.pagewise:type=Statistics,name="<name>"}
     * (a {@link StatisticsMXBean}); unregister them with
     * {@code ManagementFactory.getPlatformMBeanServer().unregisterMBean(objectName)} when the allocator is gone.
     *
     * @param name the {@code name} key of the MBean's name, quoted as JMX requires
     * @return the name they were registered under
     * @throws NullPointerException if {@code name} is {@code null}
     * @throws IllegalStateException if statistics of that name are registered already
     */
    public ObjectName registerMBean(String name) {
        Objects.requireNonNull(name, "name");
        return MBeans.register(new Bean(this), "Statistics", name);
    }

    private record Bean(Statistics statistics) implements StatisticsMXBean {
        @Override
        public long getAllocations() {
            return statistics.snapshot().allocations();
        }

        @Override
        public long getFrees() {
            return statistics.snapshot().frees();
        }

        @Override
        public long getFailures() {
            return statistics.snapshot().failures();
        }

        @Override
        public long getResets() {
            return statistics.snapshot().resets();
        }

        @Override
        public long getBytesLive() {
            return statistics.snapshot().bytesLive();
        }

        @Override
        public long getPeakBytes() {
            return statistics.snapshot().peakBytes();
        }
    }

    @Override
    public String toString() {
        return "Statistics" + snapshot();
    }
}
