package dev.pagewise.os;

import dev.pagewise.core.Allocator;
import dev.pagewise.core.BumpArena;
import dev.pagewise.core.OsBacked;
import dev.pagewise.core.ResetEvent;
import dev.pagewise.core.ResetPolicy;
import dev.pagewise.core.ResetReport;
import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Checks;
import dev.pagewise.os.linux.Libc;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A pool of arenas for one-arena-per-request servers: one lazily committed reservation split into equal
 * slots (as Wasmtime's pooling allocator does for instances). {@link #lease()} hands a free slot to the
 * calling thread as a {@link RequestArena}; closing it resets the slot under the pool's
 * {@link ResetPolicy} (default {@link ResetPolicy#defaultPolicy()}) and returns it.
 *
 * <p>Thread-safe. A lease takes a permit and claims a slot by compare-and-set, trying first a hot slot (the
 * one a platform thread used last; for a virtual thread, the one returned last), then spreading from a
 * rotating start; no lock on that path. When every slot is out, a lease waits up to the configured
 * timeout (zero: fails at once) and then throws {@link PoolExhaustedException}. The arena of a lease is
 * created in the leasing thread, so slots work from virtual threads. With {@link Builder#scrubInBackground()}, the reset runs on a scrubber thread and
 * a slot is leased again only after its scrub completed. {@link #close()} refuses while leases are out.
 */
public final class ArenaPool implements AutoCloseable {

    private static final int FREE = 0;
    private static final int LEASED = 1;
    private static final int SCRUBBING = 2;

    private final MmapBacked region;
    private final OsBacked[] slots;
    private final long slotSize;
    private final ResetPolicy policy;
    private final Duration leaseTimeout;
    private final Allocator overflow;
    private final AtomicIntegerArray state;
    private final Semaphore available;
    private final AtomicInteger spread = new AtomicInteger();
    private final ThreadLocal<int[]> lastSlot = ThreadLocal.withInitial(() -> new int[] {-1});
    private volatile int recent = -1;
    private final AtomicInteger leased = new AtomicInteger();
    private final AtomicInteger scrubbing = new AtomicInteger();
    private final AtomicLong leases = new AtomicLong();
    private final Map<String, LongAdder> resets = new ConcurrentHashMap<>();
    private final BlockingQueue<long[]> scrubQueue;
    private final Thread scrubber;
    private volatile boolean closed;

    private ArenaPool(Builder b) {
        this.slotSize = b.alignedSlotSize;
        this.policy = b.policy;
        this.leaseTimeout = b.leaseTimeout;
        this.overflow = b.overflow;
        this.region = MmapBacked.map(slotSize * b.slots, MapOptions.DEFAULT.withLazyCommit());
        this.slots = new OsBacked[b.slots];
        for (int i = 0; i < b.slots; i++) {
            slots[i] = region.slice(i * slotSize, slotSize);
        }
        this.state = new AtomicIntegerArray(b.slots);
        this.available = new Semaphore(b.slots);
        if (b.scrub) {
            scrubQueue = new LinkedBlockingQueue<>();
            scrubber = Thread.ofPlatform().daemon().name("pagewise-scrubber").start(this::scrub);
        } else {
            scrubQueue = null;
            scrubber = null;
        }
    }

    /**
     * {@return a builder for a pool of {@code slots} slots of {@code slotSize} bytes each (rounded up to 64 KiB)}
     *
     * @throws IllegalArgumentException if {@code slots} or {@code slotSize} is not positive, or their product overflows
     */
    public static Builder builder(int slots, long slotSize) {
        return new Builder(slots, slotSize);
    }

    /** Configures an {@link ArenaPool}. */
    public static final class Builder {
        private final int slots;
        private final long slotSize;
        private final long alignedSlotSize;
        private ResetPolicy policy = ResetPolicy.defaultPolicy();
        private Duration leaseTimeout = Duration.ZERO;
        private Allocator overflow;
        private boolean scrub;

        private Builder(int slots, long slotSize) {
            if (slots <= 0 || slotSize <= 0) {
                throw new IllegalArgumentException("slots and slotSize must be positive: " + slots + ", " + slotSize);
            }
            this.slots = slots;
            this.slotSize = slotSize;
            try {
                this.alignedSlotSize = Checks.alignUp(slotSize, MmapBacked.COMMIT_GRANULARITY);
                Math.multiplyExact(alignedSlotSize, (long) slots);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("pool too large: " + slots + " slots of " + slotSize + " bytes", e);
            }
        }

        /** Sets how a returned slot is reset. */
        public Builder resetPolicy(ResetPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Sets how long a lease waits for a slot; {@link Duration#ZERO} (the default) fails at once. */
        public Builder leaseTimeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("timeout must not be negative: " + timeout);
            }
            this.leaseTimeout = timeout;
            return this;
        }

        /**
         * Sends requests that outgrow their slot to {@code overflow} instead of failing them; the blocks
         * are freed to it when the lease closes. By default a full slot fails the request.
         */
        public Builder overflowTo(Allocator overflow) {
            this.overflow = Objects.requireNonNull(overflow, "overflow");
            return this;
        }

        /** Resets returned slots on a background thread, off the request's path. */
        public Builder scrubInBackground() {
            this.scrub = true;
            return this;
        }

        /** {@return the pool} @throws OsException if the reservation fails */
        public ArenaPool build() {
            return new ArenaPool(this);
        }
    }

    /**
     * Leases a slot to the calling thread.
     *
     * @throws PoolExhaustedException if no slot came free within the lease timeout
     * @throws IllegalStateException if the pool is closed
     */
    public RequestArena lease() {
        if (closed) {
            throw new IllegalStateException("ArenaPool is closed");
        }
        boolean permitted;
        try {
            permitted = leaseTimeout.isZero() ? available.tryAcquire()
                    : available.tryAcquire(leaseTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PoolExhaustedException("interrupted while waiting for a slot of " + this);
        }
        if (!permitted) {
            throw new PoolExhaustedException("all " + slots.length + " slots of " + this + " leased; waited "
                    + leaseTimeout.toMillis() + " ms");
        }
        int slot = claim();
        try {
            BumpArena arena = BumpArena.builder(slots[slot])
                    .resetPolicy(scrubber == null ? policy : ResetPolicy.noZeroing()).build();
            leased.incrementAndGet();
            leases.incrementAndGet();
            return new RequestArena(this, slot, arena, overflow);
        } catch (RuntimeException e) {
            free(slot);
            throw e;
        }
    }

    /**
     * Claims a free slot; a permit guarantees there is one. A platform thread tries the slot it used last;
     * a virtual thread, which lives for one request, tries the slot returned last (its pages were written
     * most recently) and does not pay for a thread-local. Then it spreads.
     */
    private int claim() {
        boolean virtual = Thread.currentThread().isVirtual();
        int[] last = virtual ? null : lastSlot.get();
        int preferred = virtual ? recent : last[0];
        if (preferred >= 0 && state.compareAndSet(preferred, FREE, LEASED)) {
            return preferred;
        }
        int n = slots.length;
        while (true) {
            int start = Math.floorMod(spread.getAndIncrement(), n);
            for (int i = 0; i < n; i++) {
                int slot = (start + i) % n;
                if (state.compareAndSet(slot, FREE, LEASED)) {
                    if (last != null) {
                        last[0] = slot;
                    }
                    return slot;
                }
            }
            Thread.onSpinWait();
        }
    }

    private void free(int slot) {
        state.set(slot, FREE);
        recent = slot;
        available.release();
    }

    boolean scrubsInBackground() {
        return scrubber != null;
    }

    void recordReset(ResetReport report) {
        resets.computeIfAbsent(report.strategy(), _ -> new LongAdder()).increment();
    }

    /** Takes a slot back from a closed lease; in background mode its reset is queued first. */
    void giveBack(int slot, long used) {
        leased.decrementAndGet();
        if (scrubber != null) {
            state.set(slot, SCRUBBING);
            scrubbing.incrementAndGet();
            scrubQueue.add(new long[] {slot, used});
            return;
        }
        free(slot);
    }

    private void scrub() {
        while (true) {
            long[] job;
            try {
                job = scrubQueue.take();
            } catch (InterruptedException e) {
                return;
            }
            int slot = (int) job[0];
            if (slot < 0) {
                return;
            }
            try {
                ResetReport report = policy.reset(slots[slot], 0, job[1]);
                recordReset(report);
                ResetEvent.emit(job[1], report);
            } catch (RuntimeException e) {
                slots[slot].segment().asSlice(0, Math.min(job[1], slotSize)).fill((byte) 0);
            } finally {
                scrubbing.decrementAndGet();
                free(slot);
            }
        }
    }

    /** {@return the pool's counters now} */
    public PoolMetrics metrics() {
        Map<String, Long> byStrategy = new TreeMap<>();
        resets.forEach((k, v) -> byStrategy.put(k, v.sum()));
        long resident = closed ? 0 : Libc.residentPages(region.segment().address(), region.byteSize()) * Libc.PAGE_SIZE;
        return new PoolMetrics(slots.length, leased.get(), scrubbing.get(), available.getQueueLength(), leases.get(),
                byStrategy, resident);
    }

    /** {@return the size of each slot} */
    public long slotSize() {
        return slotSize;
    }

    /** {@return the number of slots} */
    public int slots() {
        return slots.length;
    }

    /**
     * Waits for background scrubs, then unmaps the pool.
     *
     * @throws IllegalStateException if leases are out (close them first) or the pool is already closed
     */
    @Override
    public synchronized void close() {
        if (closed) {
            throw new IllegalStateException("ArenaPool is already closed");
        }
        if (leased.get() > 0) {
            throw new IllegalStateException(this + " has " + leased.get() + " leases out; close them first");
        }
        closed = true;
        if (scrubber != null) {
            scrubQueue.add(new long[] {-1, 0});
            try {
                scrubber.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (OsBacked slot : slots) {
            slot.close();
        }
        region.close();
    }

    @Override
    public String toString() {
        return "ArenaPool[" + slots.length + " x " + ByteSizes.format(slotSize) + "]";
    }
}
