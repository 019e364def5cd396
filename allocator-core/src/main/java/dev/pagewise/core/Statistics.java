package dev.pagewise.core;

import dev.pagewise.core.internal.FirstThread;
import dev.pagewise.core.internal.MBeans;
import dev.pagewise.core.internal.VarHandles;

import javax.management.ObjectName;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * <p>{@link #create()} is thread-safe and biased to one thread, as most allocators are used: the first thread
 * that records becomes the owner and counts in fields only it writes (no atomic read-modify-write, about what
 * {@link #confined()} costs); every other thread counts in lock-free atomics ({@link LongAdder}). Live bytes
 * stay in the owner's field while it records alone; from the first record of another thread on, every thread
 * moves them in one {@link AtomicLong}, so live bytes and the peak are exact under concurrency, except that
 * records racing that first record of a second thread may miss each other in the peak (a snapshot's peak is
 * never below its live bytes). A snapshot adds the owner's counters to the others'. {@link #confined()} counts
 * in the owner's fields only, for an allocator only one thread uses: wrong if several threads use it.
 *
 * <p>A reset racing allocations on other threads leaves the live bytes approximate (as it leaves the
 * allocator's own state undefined).
 */
public final class Statistics implements AllocationListener {

    private static final VarHandle SHARED;
    private static final VarHandle ALLOCATIONS;
    private static final VarHandle FREES;
    private static final VarHandle FAILURES;
    private static final VarHandle RESETS;
    private static final VarHandle LIVE;
    private static final VarHandle PEAK;

    static {
        MethodHandles.Lookup l = MethodHandles.lookup();
        SHARED = VarHandles.field(l, Statistics.class, "shared", Shared.class);
        ALLOCATIONS = VarHandles.field(l, Statistics.class, "allocations", long.class);
        FREES = VarHandles.field(l, Statistics.class, "frees", long.class);
        FAILURES = VarHandles.field(l, Statistics.class, "failures", long.class);
        RESETS = VarHandles.field(l, Statistics.class, "resets", long.class);
        LIVE = VarHandles.field(l, Statistics.class, "live", long.class);
        PEAK = VarHandles.field(l, Statistics.class, "peak", long.class);
    }

    private final boolean confined;
    /** The first thread that records. */
    private final FirstThread owner = new FirstThread();
    /**
     * The other threads' counters, made when one of them first records. Set once by CAS and never changed: a stale
     * null only sends a thread to the CAS, which then fails, and Shared's fields are final (safely published).
     * Read opaque (see live).
     */
    private Shared shared;

    // Written by the owner only (live also by a reset, and no longer once another thread records), with opaque
    // stores so a snapshot on another thread reads whole values that stay current; on x86 and ARM these are
    // plain stores, which is what makes the owner's path cheap.
    private long allocations;
    private long frees;
    private long failures;
    private long resets;
    private long live;
    private long peak;

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

    /** The counters of every thread but the owner. */
    private static final class Shared {
        final LongAdder allocations = new LongAdder();
        final LongAdder frees = new LongAdder();
        final LongAdder failures = new LongAdder();
        final LongAdder resets = new LongAdder();
        final AtomicLong live = new AtomicLong();
        final AtomicLong peak = new AtomicLong();

        void raisePeak(long now) {
            long max = peak.get();
            while (now > max && !peak.compareAndSet(max, now)) {
                max = peak.get();
            }
        }
    }

    /** {@return whether the calling thread counts in the owner's fields}, claiming them if no thread has. */
    private boolean owns() {
        return confined || owner.isCurrent();
    }

    private Shared shared() {
        Shared s = (Shared) SHARED.getOpaque(this);
        if (s == null) {
            Shared made = new Shared();
            s = (Shared) SHARED.compareAndExchange(this, (Shared) null, made);
            s = s == null ? made : s;
        }
        return s;
    }

    private static void increment(VarHandle counter, Statistics s) {
        counter.setOpaque(s, (long) counter.getOpaque(s) + 1);
    }

    /**
     * Moves the live bytes by {@code delta} and raises the peak. The owner keeps them in its own field while it
     * records alone; once another thread has recorded, every thread moves them in the shared {@link AtomicLong}
     * (the owner's field stays as it was, part of the sum), so live and peak stay exact under concurrency as
     * one atomic keeps them. The shared field is read opaque so that the owner's check is never hoisted.
     */
    private void live(boolean mine, long delta) {
        Shared s = (Shared) SHARED.getOpaque(this);
        if (mine && s == null) {
            long now = (long) LIVE.getOpaque(this) + delta;
            LIVE.setOpaque(this, now);
            if (now > (long) PEAK.getOpaque(this)) {
                PEAK.setOpaque(this, now);
            }
            return;
        }
        s = s == null ? shared() : s;
        s.raisePeak(s.live.addAndGet(delta) + (long) LIVE.getOpaque(this));
    }

    @Override
    public void onAllocation(MemorySegment segment) {
        boolean mine = owns();
        if (mine) {
            increment(ALLOCATIONS, this);
        } else {
            shared().allocations.increment();
        }
        live(mine, segment.byteSize());
    }

    @Override
    public void onFailedAllocation(long byteSize, long byteAlignment) {
        if (owns()) {
            increment(FAILURES, this);
        } else {
            shared().failures.increment();
        }
    }

    @Override
    public void onRelease(MemorySegment segment) {
        boolean mine = owns();
        if (mine) {
            increment(FREES, this);
        } else {
            shared().frees.increment();
        }
        live(mine, -segment.byteSize());
    }

    /**
     * {@inheritDoc} Here: live bytes change by the difference (the peak follows a growth); a block resized in
     * place counts as neither an allocation nor a free. A block that moves is an allocation and a free.
     */
    @Override
    public void onResize(MemorySegment segment, MemorySegment resized) {
        live(owns(), resized.byteSize() - segment.byteSize());
    }

    /** {@inheritDoc} Here: not a failure (the block is usually moved next, and that allocation is counted). */
    @Override
    public void onFailedResize(MemorySegment segment, long newSize) {
    }

    @Override
    public void onReset() {
        if (owns()) {
            increment(RESETS, this);
        } else {
            shared().resets.increment();
        }
        LIVE.setOpaque(this, 0L);
        Shared s = (Shared) SHARED.getOpaque(this);
        if (s != null) {
            s.live.set(0);
        }
    }

    /** {@return the counters now} Consistent per counter, not across counters while others allocate. */
    public AllocationStats snapshot() {
        long a = (long) ALLOCATIONS.getOpaque(this);
        long f = (long) FREES.getOpaque(this);
        long x = (long) FAILURES.getOpaque(this);
        long r = (long) RESETS.getOpaque(this);
        long l = (long) LIVE.getOpaque(this);
        long p = (long) PEAK.getOpaque(this);
        Shared s = (Shared) SHARED.getOpaque(this);
        if (s == null) {
            return new AllocationStats(a, f, x, r, l, p);
        }
        long live = l + s.live.get();
        // a record racing the moment a second thread first recorded may have missed the other's bytes: the
        // peak is never below what is live
        return new AllocationStats(a + s.allocations.sum(), f + s.frees.sum(), x + s.failures.sum(),
                r + s.resets.sum(), live, Math.max(live, Math.max(p, s.peak.get())));
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
