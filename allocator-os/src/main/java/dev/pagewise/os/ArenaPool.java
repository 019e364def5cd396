package dev.pagewise.os;

import dev.pagewise.core.AllocationListener;
import dev.pagewise.core.Allocator;
import dev.pagewise.core.BumpArena;
import dev.pagewise.core.Lifetime;
import dev.pagewise.core.OsBacked;
import dev.pagewise.core.ResetPolicy;
import dev.pagewise.core.ResetReport;
import dev.pagewise.core.ResetStrategy;
import dev.pagewise.core.internal.Bridge;
import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Events;
import dev.pagewise.core.internal.MBeans;
import dev.pagewise.core.internal.ResetEvent;
import dev.pagewise.core.internal.ResidentEnd;
import dev.pagewise.core.internal.Restricted;
import dev.pagewise.core.internal.VarHandles;
import dev.pagewise.os.internal.IdlePurgeEvent;
import dev.pagewise.os.internal.LeaseWaitEvent;
import dev.pagewise.os.internal.PoolExhaustedEvent;
import dev.pagewise.os.internal.ScrubFailureEvent;
import dev.pagewise.os.internal.SlotCounters;
import dev.pagewise.os.linux.MmapBacked;

import javax.management.ObjectName;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * A pool of arenas for one-arena-per-request servers: one lazily committed reservation split into equal
 * slots (as Wasmtime's pooling allocator does for instances). {@link #lease()} hands a free slot to the
 * calling thread as a {@link RequestArena}; closing it resets the slot under the pool's
 * {@link ResetPolicy} (default {@link ResetPolicy#defaultPolicy()}) and returns it.
 *
 * <p>Thread-safe. A lease claims a slot by compare-and-set, trying first hot slots (the one a platform thread
 * used last, then the ones returned last, newest first), then spreading; no lock on that path.
 * When every slot is out, a lease waits up to the configured timeout and then throws
 * {@link PoolExhaustedException}. With {@link Builder#scrubInBackground()} the reset runs on a scrubber
 * thread, and a slot is leased again only after its scrub completed.
 *
 * <p><b>A pool cannot wedge.</b> A lease whose thread ended without closing it, or that became
 * unreachable with all its segments, is reclaimed: its slot is reset and returned, and a warning is
 * logged (with the lease's site, if {@link Builder#recordLeaseSites()}). Dead threads are noticed when
 * the pool runs out of slots and when it closes; unreachable leases, once the garbage collector found them,
 * at the next lease, wait for a slot or close; {@link #reclaimLeaked()} does both on demand. A reset that fails is logged and
 * counted, and the slot is zeroed in place instead; a slot that cannot even be zeroed is retired, never
 * handed out dirty. Logging goes to {@link System.Logger}
 * {@code dev.pagewise.os.ArenaPool}.
 *
 * <p><b>Memory of idle slots.</b> A returned slot keeps up to its policy's {@code keepResident} budget
 * resident, so the next lease takes no page faults. {@link #prewarm(int)} makes slots so before their first
 * lease; with {@link Builder#idlePurgeAfter(Duration)} a timer thread returns the pages of a slot that stayed
 * free longer than the delay to the operating system, whether or not the pool is used again.
 */
public final class ArenaPool implements AutoCloseable {

    /** Slot sizes are rounded up to this: the commit step of every backing. */
    public static final long SLOT_ALIGNMENT = 64 << 10;

    private static final System.Logger LOG = System.getLogger(ArenaPool.class.getName());
    /** Numbers the pools built without a name. */
    private static final AtomicLong POOLS = new AtomicLong();
    /** The arenas of leases never zero: the pool resets slots itself, inline or in the background. */
    private static final ResetPolicy POOL_RESETS = ResetPolicy.noZeroing();
    /** The counter of leases granted in {@link #counts}; the resets' follow, by strategy ({@link #resets}). */
    private static final int LEASES = 0;
    /** How often a waiting lease looks for slots of leases whose thread ended. */
    private static final long REAP_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private static final int FREE = 0;
    private static final int LEASED = 1;
    private static final int SCRUBBING = 2;
    private static final int RETIRED = 3;
    /** A free slot that the pool itself works on (an idle purge, a prewarm); a lease with a permit waits for it. */
    private static final int TENDING = 4;
    /** The shortest sleep of the purger, so that a due slot it could not take is not retried in a busy loop. */
    private static final long MIN_PURGE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final String name;
    private final String label;
    private final String[] slotNames;
    private volatile ObjectName objectName;
    private final OsBacked region;
    private final boolean ownsRegion;
    private final OsBacked[] slots;
    private final long slotSize;
    private final ResetPolicy policy;
    private final long leaseTimeoutNanos;
    private final Allocator overflow;
    private final java.util.function.Supplier<? extends AllocationListener> listeners;
    private final boolean recordSites;
    private final Lifetime lifetime;
    private final AtomicIntegerArray state;
    private final AtomicReferenceArray<Lease> leasesBySlot;
    private final Semaphore available;
    private final AtomicInteger spread = new AtomicInteger();
    private final ThreadLocal<int[]> lastSlot = ThreadLocal.withInitial(() -> new int[] {-1});
    /**
     * How many of the slots freed last a lease tries, newest first, before it spreads: with several requests in
     * flight the slot freed last is often taken, and the next ones are still in the caches, where a slot found
     * by spreading over the whole pool is usually not (a power of two).
     */
    private static final int RECENT = 8;
    /**
     * The slots freed last, newest at {@code freedCount - 1} (mod {@link #RECENT}): hints for {@link #claim()}, whose
     * CAS decides, so plain fields (a stale or lost entry costs a failed CAS or a colder slot at most; volatile
     * stores here would cost a full fence per lease).
     */
    private final int[] freedRecently = new int[RECENT];
    private int freedCount;
    private volatile boolean closing;
    /** Serialises the calls of {@link #close(Duration)}; held while it stops the scrubber and purger. */
    private final Object closeLock = new Object();
    /**
     * What a closing pool waits on for the scrubs it needs to end, and the scrubber notifies. Not
     * {@link #closeLock}: close() holds that while it joins the scrubber, which must never need it.
     */
    private final Object scrubbed = new Object();
    /** Test hook: runs on the scrubber after it gave a slot's pool hold back, before it wakes a closing pool. */
    private volatile Runnable afterScrubRelease;
    private final AtomicInteger scrubbing = new AtomicInteger();
    private final AtomicInteger retired = new AtomicInteger();
    /**
     * Leases granted ({@link #LEASES}) and resets by strategy ({@link #resets}), counted per slot by its
     * holder: a lease pays no atomic instruction for its counts.
     */
    private final SlotCounters counts;
    /** Where the collector queues the leases it found unreachable: see {@link Lease}. */
    private final ReferenceQueue<MemorySegment.Scope> unreachable = new ReferenceQueue<>();
    private final LongAdder reclaimed = new LongAdder();
    private final LongAdder resetFailures = new LongAdder();
    private final BlockingQueue<Lease> scrubQueue;
    private final Thread scrubber;
    /** The idle purge's delay; 0 when the pool never purges. */
    private final long purgeAfterNanos;
    /**
     * When each slot was last returned, and whether its pages may be resident (used or prewarmed since its last
     * purge). Written only by whoever owns the slot (its lease's ender, the purger or prewarm while it is
     * {@code TENDING}) before the volatile write of its state that gives the slot up, so read after a read of
     * that state, and trusted only by the owner.
     */
    private final long[] idleSince;
    private final boolean[] warm;
    /**
     * Per slot, where its resident pages end as its resets left them, so that a slot larger than the budget
     * is not walked to its end on every reset; made at a slot's first reset and, like {@link #warm}, touched
     * only by the slot's holder. {@code null} when the budget covers a whole slot: nothing to walk then.
     */
    private final ResidentEnd[] residentEnds;
    private final Thread purger;
    private volatile boolean purgerStopped;
    private final LongAdder prewarmed = new LongAdder();
    private final LongAdder purges = new LongAdder();
    private final LongAdder purgedBytes = new LongAdder();
    private final LongAdder purgeFailures = new LongAdder();

    private ArenaPool(Builder b) {
        this.slotSize = b.alignedSlotSize;
        this.policy = b.policy;
        this.leaseTimeoutNanos = TimeUnit.NANOSECONDS.convert(b.leaseTimeout);
        this.overflow = b.overflow;
        this.listeners = b.listeners;
        this.recordSites = b.recordSites;
        this.name = b.name != null ? b.name : "pool-" + POOLS.incrementAndGet();
        this.label = "ArenaPool " + name + " [" + b.slots + " x " + ByteSizes.format(slotSize) + "]";
        this.counts = new SlotCounters(b.slots, 1 + ResetStrategy.values().length); // before the memory it could leak
        long total = slotSize * b.slots;
        this.ownsRegion = b.region == null;
        this.region = ownsRegion ? OsMemory.map(total, MapOptions.DEFAULT.withLazyCommit()) : b.region;
        this.slots = new OsBacked[b.slots];
        long budget = Bridge.residentBudget(b.policy);
        this.residentEnds = budget > 0 && budget < slotSize ? new ResidentEnd[b.slots] : null;
        this.slotNames = new String[b.slots];
        for (int i = 0; i < b.slots; i++) {
            slotNames[i] = name + " slot " + i;
        }
        try {
            if (region.byteSize() < total) {
                throw new IllegalArgumentException(label + " needs " + total + " bytes; the region has "
                        + region.byteSize());
            }
            for (int i = 0; i < b.slots; i++) {
                slots[i] = region.slice(i * slotSize, slotSize);
            }
        } catch (RuntimeException | Error e) {
            closeSlotsAndRegion();
            throw e;
        }
        this.state = new AtomicIntegerArray(b.slots);
        Arrays.fill(freedRecently, -1);
        this.leasesBySlot = new AtomicReferenceArray<>(b.slots);
        this.available = new Semaphore(b.slots);
        this.idleSince = new long[b.slots];
        this.warm = new boolean[b.slots];
        this.purgeAfterNanos = b.purgeAfter == null ? 0 : Math.max(1, TimeUnit.NANOSECONDS.convert(b.purgeAfter));
        this.lifetime = Lifetime.create(label, this::shutDown);
        this.scrubQueue = b.scrub ? new LinkedBlockingQueue<>() : null;
        Thread startedScrubber = null;
        try {
            if (b.scrub) {
                startedScrubber = Thread.ofPlatform().daemon().name("pagewise-scrubber").start(this::scrubLoop);
            }
            if (b.failPurgerStart) {
                throw new OutOfMemoryError("unable to create native thread: test hook");
            }
            // A thread of the pool's own rather than a shared scheduler: it sleeps until the next slot is due, a
            // slow purge in one pool never delays another's, and close() stops and joins it like the scrubber.
            this.purger = purgeAfterNanos == 0 ? null
                    : Thread.ofPlatform().daemon().name("pagewise-purger " + name).start(this::purgeLoop);
        } catch (RuntimeException | Error e) {
            // a thread that could not start (out of threads or memory) leaves no scrubber running and nothing mapped
            try {
                if (startedScrubber != null) {
                    scrubQueue.add(new Lease(-1, null, null, null, null, null));
                    joinQuietly(startedScrubber);
                }
            } finally {
                try {
                    closeSlotsAndRegion();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        this.scrubber = startedScrubber;
    }

    /** Waits for {@code thread} to end; an interrupt ends the wait and stays set. */
    private static void joinQuietly(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * {@return a builder for a pool of {@code slots} slots of {@code slotSize} bytes each (rounded up to a
     * multiple of {@link #SLOT_ALIGNMENT}, 64 KiB)}
     *
     * @param slots    the number of slots, and so of leases out at once
     * @param slotSize the bytes a lease can allocate from its slot, before rounding
     * @throws IllegalArgumentException if {@code slots} or {@code slotSize} is not positive, or their product overflows
     */
    public static Builder builder(int slots, long slotSize) {
        return new Builder(slots, slotSize);
    }

    /** Configures an {@link ArenaPool}. */
    public static final class Builder {
        private final int slots;
        private final long alignedSlotSize;
        private ResetPolicy policy = ResetPolicy.defaultPolicy();
        private Duration leaseTimeout = Duration.ZERO;
        private Allocator overflow;
        private java.util.function.Supplier<? extends AllocationListener> listeners;
        private OsBacked region;
        private boolean scrub;
        private boolean recordSites;
        private String name;
        private boolean mbean;
        private Duration purgeAfter;
        /** Test hook: the pool fails as if the purger thread could not start. */
        boolean failPurgerStart;

        private Builder(int slots, long slotSize) {
            if (slots <= 0 || slotSize <= 0) {
                throw new IllegalArgumentException("slots and slotSize must be positive: " + slots + ", " + slotSize);
            }
            if (slots > SlotCounters.MAX_SLOTS) {
                throw new IllegalArgumentException("slots must be at most " + SlotCounters.MAX_SLOTS + ": " + slots);
            }
            this.slots = slots;
            try {
                this.alignedSlotSize = Checks.alignUp(slotSize, SLOT_ALIGNMENT);
                Math.multiplyExact(alignedSlotSize, (long) slots);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("pool too large: " + slots + " slots of " + slotSize + " bytes", e);
            }
        }

        /**
         * Sets how a returned slot is reset; default {@link ResetPolicy#defaultPolicy()}. A policy of your own (not one of
         * {@code ResetPolicy}'s factories) is <em>restricted</em>: it decides whether the next user sees the last
         * one's bytes, so only a caller with native access may set one.
         *
         * @param policy the policy that restores a slot's used memory when its lease ends
         * @return this builder
         * @throws NullPointerException if {@code policy} is {@code null}
         * @throws IllegalCallerException for a policy of your own, if the caller's module has no native access
         */
        public Builder resetPolicy(ResetPolicy policy) {
            this.policy = Restricted.policy(Objects.requireNonNull(policy, "policy"), "ArenaPool.Builder.resetPolicy(ResetPolicy)");
            return this;
        }

        /**
         * Sets how long a lease waits for a slot; {@link Duration#ZERO} (the default) fails at once. Durations
         * beyond about 292 years wait that long.
         *
         * @param timeout how long {@link ArenaPool#lease()} waits for a slot when every slot is out
         * @return this builder
         * @throws NullPointerException if {@code timeout} is {@code null}
         * @throws IllegalArgumentException if {@code timeout} is negative
         */
        public Builder leaseTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("timeout must not be negative: " + timeout);
            }
            this.leaseTimeout = timeout;
            return this;
        }

        /**
         * Sends requests that outgrow their slot to {@code overflow} instead of failing them. The blocks are
         * freed to it when the lease closes (or is reclaimed, possibly on another thread), so it must be
         * thread-safe; the segments a lease hands out from it become inaccessible when the lease closes.
         *
         * <p>This method is <em>restricted</em>: a lease hands the overflow blocks out in its own scope, so the
         * overflow allocator's memory must outlive every lease, which the pool cannot check (closing the
         * allocator and its memory under a live lease would leave the lease's segments over unmapped memory).
         *
         * @param overflow the thread-safe allocator that serves what no slot can
         * @return this builder
         * @throws NullPointerException if {@code overflow} is {@code null}
         * @throws IllegalCallerException if the caller's module has no native access
         */
        public Builder overflowTo(Allocator overflow) {
            Restricted.check("ArenaPool.Builder.overflowTo(Allocator)");
            this.overflow = Objects.requireNonNull(overflow, "overflow");
            return this;
        }

        /**
         * Carves the slots out of {@code region}, from its start, instead of a reservation of the pool's own
         * from {@link OsMemory#map}. Each slot is a slice of the region, held until the pool is closed (the region
         * is left open then): while the pool is open, no allocator, and no slice that overlaps a slot, can be made
         * over the region, so a second pool over the same bytes is refused.
         *
         * @param region the memory to carve the slots from; at least {@code slots * slotSize} bytes (after
         *               rounding), checked by {@link #build()}
         * @return this builder
         * @throws NullPointerException if {@code region} is {@code null}
         * @throws IllegalCallerException if {@code region} is implemented outside Pagewise and the caller has no
         *         native access
         */
        public Builder memory(OsBacked region) {
            this.region = Restricted.range(Objects.requireNonNull(region, "region"), "ArenaPool.Builder.memory");
            return this;
        }

        /**
         * Gives every lease a listener of its own, made by {@code perLease} when the lease starts: it hears the
         * lease's allocations (slot and overflow alike; a refusal fails the request, it does not overflow),
         * then {@code onReset} and {@code onClose} when the lease ends or is reclaimed. For a budget per
         * request: {@code () -> Limit.of(server.child("request", 8 << 20))} — the children share their
         * parent, so the pool as a whole is bounded too. Default none. A listener must not keep the segments
         * it hears of: the pool reclaims a lease nobody closed only once it and all its segments are unreachable.
         * A reclaim runs the listener on whichever thread notices it (a lease, a waiting lease,
         * {@code reclaimLeaked()}, {@code close}), so it must not block.
         *
         * @param perLease makes the listener of each new lease; it must not return {@code null}
         * @return this builder
         * @throws NullPointerException if {@code perLease} is {@code null}
         */
        public Builder listenerPerLease(java.util.function.Supplier<? extends AllocationListener> perLease) {
            this.listeners = Objects.requireNonNull(perLease, "perLease");
            return this;
        }

        /**
         * Names the pool in its log lines, exception messages, JFR events and MXBean; default {@code pool-<n>},
         * numbered in the order pools are built.
         *
         * @param name the pool's name
         * @return this builder
         * @throws NullPointerException if {@code name} is {@code null}
         * @throws IllegalArgumentException if {@code name} is blank
         */
        public Builder name(String name) {
            this.name = Checks.requireName(name);
            return this;
        }

        /**
         * Registers the pool's {@link ArenaPoolMXBean} in the platform MBean server when it is built, as
         * {@code dev.pagewise:type=ArenaPool,name="<name>"}; the pool unregisters it when it closes.
         *
         * @return this builder
         */
        public Builder registerMBean() {
            this.mbean = true;
            return this;
        }

        /**
         * Resets returned slots on a background thread, off the request's path.
         *
         * @return this builder
         */
        public Builder scrubInBackground() {
            this.scrub = true;
            return this;
        }

        /**
         * Returns the pages of a slot that stays free longer than {@code delay} to the operating system
         * ({@link OsBacked#releasePages}, {@code madvise(MADV_DONTNEED)} on Linux): a timer thread of the pool's
         * own, {@code pagewise-purger <name>}, a daemon that the pool's close stops, purges each slot once per idle
         * period, whether or not the pool is used again. A purged slot reads zero as every free slot does; its next
         * lease takes the page faults a new slot takes. A lease never sees a slot half purged: it waits for the
         * purge (one system call) if no other slot is free. Default: never purge, so an idle slot keeps its
         * policy's {@code keepResident} pages. Purges are counted in {@link ArenaPool#metrics()}.
         *
         * @param delay how long a slot stays free before its pages go back; at least 1 ms. Durations beyond about
         *              292 years never purge.
         * @return this builder
         * @throws NullPointerException if {@code delay} is {@code null}
         * @throws IllegalArgumentException if {@code delay} is shorter than 1 ms
         */
        public Builder idlePurgeAfter(Duration delay) {
            Objects.requireNonNull(delay, "delay");
            if (delay.compareTo(Duration.ofMillis(1)) < 0) {
                throw new IllegalArgumentException("delay must be at least 1 ms: " + delay);
            }
            this.purgeAfter = delay;
            return this;
        }

        /**
         * Records where each lease was taken, for the warning when it is reclaimed: a stack trace per lease.
         *
         * @return this builder
         */
        public Builder recordLeaseSites() {
            this.recordSites = true;
            return this;
        }

        /**
         * {@return the pool}
         *
         * @throws IllegalArgumentException if a given region is too small for the slots
         * @throws OsException if the reservation fails
         * @throws IllegalStateException with {@link #registerMBean()}, if a pool of the same name is registered;
         *         if a given region is closed, used by an allocator, or has an open slice where the slots go
         */
        public ArenaPool build() {
            ArenaPool pool = new ArenaPool(this);
            if (mbean) {
                try {
                    pool.objectName = MBeans.register(new PoolBean(pool), "ArenaPool", pool.name);
                } catch (RuntimeException | Error e) {
                    try {
                        pool.close();
                    } catch (RuntimeException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                    throw e;
                }
            }
            pool.logStart(leaseTimeout, scrub, purgeAfter);
            return pool;
        }
    }

    /**
     * One lease of one slot: what the pool needs to take the slot back, whoever ends it. It is the phantom
     * reference of the lease's scope, which every segment of the lease reaches: once the collector finds the
     * scope unreachable the lease is queued on {@link #unreachable}, and the pool reclaims it at its next look
     * ({@link #reclaimUnreachable()}). A {@link java.lang.ref.Cleaner} would do it at once on its own thread, but
     * registering with one takes a lock and a list node on every lease, for a leak that only matters when a
     * slot is wanted. The pool keeps the lease reachable while it is out ({@link #leasesBySlot}); it refers to
     * nothing that reaches the scope.
     */
    static final class Lease extends PhantomReference<MemorySegment.Scope> {
        private static final VarHandle ENDED = VarHandles.field(MethodHandles.lookup(), Lease.class, "ended", int.class);

        final int slot;
        final Thread thread;
        final Throwable site;
        final Lifetime.Hold poolHold;
        /** The blocks taken from the overflow allocator, made at the first: most leases never overflow. */
        private volatile java.util.List<MemorySegment> overflowed;
        private volatile int ended;
        volatile AllocationListener listener;
        volatile Lifetime.Hold arenaHold;
        volatile long used;

        Lease(int slot, Thread thread, Throwable site, Lifetime.Hold poolHold, MemorySegment.Scope scope,
              ReferenceQueue<MemorySegment.Scope> unreachable) {
            super(scope, unreachable);
            this.slot = slot;
            this.thread = thread;
            this.site = site;
            this.poolHold = poolHold;
        }

        /** {@return whether this call ended the lease; only the first does} */
        boolean end() {
            return ENDED.compareAndSet(this, 0, 1);
        }

        boolean isEnded() {
            return ended != 0;
        }

        /** Records a block of the overflow allocator; only the lease's thread adds. */
        void overflowed(MemorySegment block) {
            java.util.List<MemorySegment> blocks = overflowed;
            if (blocks == null) {
                blocks = new java.util.concurrent.CopyOnWriteArrayList<>();
                overflowed = blocks;
            }
            blocks.add(block);
        }

        /** {@return the blocks taken from the overflow allocator and not yet freed} */
        java.util.List<MemorySegment> overflowed() {
            java.util.List<MemorySegment> blocks = overflowed;
            return blocks == null ? java.util.List.of() : blocks;
        }
    }

    /**
     * Leases a slot to the calling thread.
     *
     * @return the lease: an arena over the slot, owned by the calling thread until closed
     * @throws PoolExhaustedException if no slot came free within the lease timeout, or the thread was
     *         interrupted while it waited (its interrupt status is then set)
     * @throws IllegalStateException if the pool is closed or closing
     */
    public RequestArena lease() {
        checkOpen();
        reclaimUnreachable();
        acquirePermit();
        // From the permit on, whatever throws (a StackOverflowError too) gives back what was taken by then.
        Lifetime.Hold poolHold = null;
        int slot = -1;
        BumpArena arena = null;
        Lease lease = null;
        try {
            try {
                poolHold = Bridge.acquire(lifetime);
            } catch (IllegalStateException e) {
                throw new IllegalStateException(label + " is closed", e);
            }
            slot = claim();
            Throwable site = recordSites ? new Throwable("leased here") : null;
            checkOpen();
            arena = BumpArena.builder(slots[slot]).name(slotNames[slot]).resetPolicy(POOL_RESETS).build();
            lease = new Lease(slot, Thread.currentThread(), site, poolHold, arena.scope(), unreachable);
            lease.arenaHold = Bridge.holdOf(arena);
            lease.listener = listeners == null ? null
                    : Objects.requireNonNull(listeners.get(), "the listener a lease's supplier made");
            RequestArena request = new RequestArena(this, lease, arena, overflow);
            counts.increment(slot, LEASES);
            // what this thread wrote happens-before a reclaim: through the array for a dead thread's lease, through
            // the fence (java.lang.ref's memory consistency rule) for an unreachable one
            leasesBySlot.setRelease(slot, lease);
            Reference.reachabilityFence(arena);
            return request;
        } catch (Throwable e) {
            undoLease(slot, arena, lease, poolHold);
            throw e;
        }
    }

    /**
     * Gives back what a failed {@link #lease()} took, each step in a {@code finally} of the one before: the slot's
     * arena (nothing wrote to it) lets go of the slot, then the slot is freed, or the permit if no slot was claimed.
     * The lease, if it was made, is cleared first: never queued as unreachable, it can never be reclaimed.
     */
    private void undoLease(int slot, BumpArena arena, Lease lease, Lifetime.Hold poolHold) {
        try {
            try {
                if (lease != null) {
                    lease.clear();
                }
                if (slot >= 0) {
                    leasesBySlot.set(slot, null);
                }
            } finally {
                if (arena != null) {
                    Bridge.holdOf(arena).close();
                }
            }
        } finally {
            try {
                if (slot >= 0) {
                    free(slot);
                } else {
                    available.release();
                }
            } finally {
                if (poolHold != null) {
                    poolHold.close();
                }
            }
        }
    }

    private void checkOpen() {
        lifetime.checkAlive();
        if (closing) {
            throw new IllegalStateException(label + " is closing");
        }
    }

    private void acquirePermit() {
        if (available.tryAcquire()) {
            return;
        }
        LeaseWaitEvent wait = new LeaseWaitEvent();
        PoolExhaustedEvent exhausted = new PoolExhaustedEvent();
        wait.begin();
        exhausted.begin();
        boolean leased = false;
        try {
            leased = waitForPermit();
        } finally {
            wait.end(); // a thresholded event sees its duration only after end()
            exhausted.end();
            if (wait.shouldCommit()) {
                wait.pool = name;
                wait.leased = leased;
                wait.commit();
            }
            if (!leased && exhausted.shouldCommit()) {
                exhausted.pool = name;
                exhausted.slots = slots.length;
                exhausted.retired = retired.get();
                exhausted.commit();
            }
        }
    }

    /** Waits out the lease timeout for a permit; returns true with one, throws without. */
    private boolean waitForPermit() {
        long deadline = System.nanoTime() + leaseTimeoutNanos;
        while (true) {
            reclaimLeaked();
            long left = deadline - System.nanoTime();
            if (leaseTimeoutNanos == 0 || left <= 0) {
                if (available.tryAcquire()) {
                    return true;
                }
                throw new PoolExhaustedException((slots.length == 1 ? "the only slot of " : "all " + slots.length + " slots of ") + label + " leased ("
                        + retired.get() + " retired); waited " + TimeUnit.NANOSECONDS.toMillis(leaseTimeoutNanos) + " ms");
            }
            try {
                if (available.tryAcquire(Math.min(left, REAP_INTERVAL_NANOS), TimeUnit.NANOSECONDS)) {
                    return true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PoolExhaustedException("interrupted while waiting for a slot of " + label);
            }
        }
    }

    /**
     * Claims a free slot; a permit guarantees there is one. A platform thread tries the slot it used last (a
     * virtual thread, which lives for one request, does not pay for a thread-local); then the slots returned
     * last, newest first, whose pages were written most recently and are the likeliest still in the caches, as
     * {@code malloc} hands out the block freed last. Then it spreads.
     */
    private int claim() {
        boolean virtual = Thread.currentThread().isVirtual();
        int[] last = virtual ? null : lastSlot.get();
        if (last != null && last[0] >= 0 && state.compareAndSet(last[0], FREE, LEASED)) {
            return last[0];
        }
        int newest = freedCount;
        for (int i = 1; i <= RECENT; i++) {
            int slot = freedRecently[(newest - i) & (RECENT - 1)];
            if (slot >= 0 && state.getOpaque(slot) == FREE && state.compareAndSet(slot, FREE, LEASED)) {
                if (last != null) {
                    last[0] = slot;
                }
                return slot;
            }
        }
        int n = slots.length;
        for (int passes = 0; ; passes++) {
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
            // Every free slot was taken by a racing lease or is being purged or prewarmed: one system call.
            if (passes < 16) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    private void free(int slot) {
        warm[slot] = true;
        if (purger != null) {
            idleSince[slot] = System.nanoTime();
        }
        state.setRelease(slot, FREE);
        freed(slot);
        available.release();
    }

    /** Notes {@code slot} as the newest of {@link #freedRecently}, for {@link #claim()}. */
    private void freed(int slot) {
        int at = freedCount;
        freedRecently[at & (RECENT - 1)] = slot;
        freedCount = at + 1;
    }

    /**
     * Takes a slot back from a lease that {@link RequestArena#close()} or a reclaim ended (its arena's scope is
     * closed or unreachable): tells the lease's listener, frees its overflow blocks, then resets the slot here or
     * queues it for the scrubber. The slot goes back whatever failed; the first failure is thrown after.
     */
    void endLease(Lease lease) {
        try {
            try {
                AllocationListener l = lease.listener;
                if (l != null) {
                    try {
                        l.onReset();
                    } finally {
                        l.onClose();
                    }
                }
            } finally {
                freeOverflow(lease);
            }
        } finally {
            giveBack(lease);
        }
    }

    private void giveBack(Lease lease) {
        leasesBySlot.setRelease(lease.slot, null);
        if (scrubber != null) {
            state.setRelease(lease.slot, SCRUBBING);
            scrubbing.incrementAndGet();
            scrubQueue.add(lease);
        } else {
            scrub(lease);
        }
    }

    private ResidentEnd residentEnd(int slot) {
        ResidentEnd resident = residentEnds[slot];
        return resident != null ? resident : (residentEnds[slot] = new ResidentEnd());
    }

    /**
     * Resets the slot of an ended lease and frees it. If the policy fails, the failure is logged and counted
     * and the used bytes are zeroed in place; if even that fails, the slot is retired. Never throws.
     */
    private void scrub(Lease lease) {
        int slot = lease.slot;
        boolean clean = false;
        ResetEvent event = Events.beginReset();
        ScrubFailureEvent failure = null;
        try {
            try {
                ResetReport report = residentEnds == null ? policy.reset(slots[slot], 0, lease.used)
                        : Bridge.reset(policy, slots[slot], 0, lease.used, residentEnd(slot));
                counts.increment(slot, resets(report.strategy()));
                Events.reset(event, name, slotNames[slot], lease.used, report);
                clean = true;
            } catch (Throwable t) {
                failure = new ScrubFailureEvent();
                failure.begin();
                failure.error = t.toString();
                resetFailures.increment();
                LOG.log(System.Logger.Level.WARNING, label + ": resetting slot " + slot + " with " + policy
                        + " failed; zeroing it in place", t);
                if (residentEnds != null) {
                    residentEnds[slot] = null; // zeroing in place faults in pages the failed reset never saw
                }
                slots[slot].zero(0, Math.min(lease.used, slots[slot].committed()));
                clean = true;
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, label + ": slot " + slot
                    + " could not be zeroed and is retired; the pool has one slot fewer", t);
        } finally {
            // the slot and the pool's hold go back first, each whatever the step before threw
            try {
                try {
                    if (clean) {
                        free(slot);
                    } else {
                        state.set(slot, RETIRED);
                        retired.incrementAndGet();
                    }
                } finally {
                    lease.poolHold.close();
                }
            } finally {
                scrubbed(lease, failure, clean);
            }
        }
    }

    /** What follows a scrub once its slot is back: its failure event, the lease's reference, waiters on close. */
    private void scrubbed(Lease lease, ScrubFailureEvent failure, boolean clean) {
        try {
            if (failure != null) {
                failure.end();
                if (failure.shouldCommit()) {
                    failure.pool = name;
                    failure.slot = lease.slot;
                    failure.policy = String.valueOf(policy);
                    failure.retired = !clean;
                    failure.commit();
                }
            }
        } finally {
            try {
                lease.clear();
            } finally {
                Runnable hook = afterScrubRelease;
                if (hook != null) {
                    hook.run();
                }
                if (closing) {
                    synchronized (scrubbed) {
                        scrubbed.notifyAll();
                    }
                }
            }
        }
    }

    private void scrubLoop() {
        while (true) {
            Lease lease;
            try {
                lease = scrubQueue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (lease.slot < 0) {
                return;
            }
            try {
                scrub(lease);
            } finally {
                scrubbing.decrementAndGet();
            }
        }
    }

    /**
     * Ends a lease that its thread did not close: the slot's memory can no longer be reached through the
     * lease (its confined scope belongs to a thread that ended, or nothing refers to it any more), so the
     * slot is reset and returned. Runs on the thread that noticed.
     */
    private void reclaim(Lease lease, String why) {
        if (!lease.end()) {
            return;
        }
        // Once ended here, nothing else gives the slot back: whatever throws below, the lease still ends. The
        // lease's cursor is out of reach, so everything the slot ever committed may have been written; the whole
        // slot stands in until that is known (a reset past the committed bytes fails, and the scrub's fallback
        // then zeroes what is committed or retires the slot).
        lease.used = slotSize;
        try {
            try {
                lease.used = slots[lease.slot].committed();
                reclaimed.increment();
                LOG.log(System.Logger.Level.WARNING, label + ": reclaimed slot " + lease.slot
                        + " from a lease that was never closed: " + why + " (leased by " + lease.thread + ")"
                        + (lease.site == null ? "; recordLeaseSites() shows where" : ""), lease.site);
            } finally {
                lease.arenaHold.close();
            }
        } finally {
            try {
                endLease(lease);
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.WARNING, label + ": ending the reclaimed lease of slot " + lease.slot + " failed", e);
            }
        }
    }

    /** Frees the blocks a lease took from the overflow allocator; the first failure is thrown after all were tried. */
    void freeOverflow(Lease lease) {
        java.util.List<MemorySegment> blocks = lease.overflowed();
        if (blocks.isEmpty()) {
            return;
        }
        RuntimeException failure = null;
        for (MemorySegment block : blocks) {
            try {
                overflow.deallocate(block);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        blocks.clear();
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Reclaims the leases the garbage collector found unreachable with all their segments (see {@link Lease});
     * {@return how many}
     */
    private int reclaimUnreachable() {
        int n = 0;
        for (Reference<?> lease; (lease = unreachable.poll()) != null; n++) {
            reclaim((Lease) lease, "it became unreachable");
        }
        return n;
    }

    /**
     * Reclaims the slots of leases that were never closed and no longer can be: their thread ended, or the
     * garbage collector found the lease and all its segments unreachable. Each slot is reset and returned, and
     * a warning logged. The pool does this itself: for unreachable leases at every {@link #lease()}, for both
     * kinds when it runs out of slots and when it closes. Thread-safe.
     *
     * @return how many leases were reclaimed
     */
    public int reclaimLeaked() {
        int n = reclaimUnreachable();
        for (int i = 0; i < slots.length; i++) {
            Lease lease = leasesBySlot.get(i);
            if (lease != null && !lease.thread.isAlive() && !lease.isEnded()) {
                reclaim(lease, "its thread " + lease.thread + " ended");
                n++;
            }
        }
        return n;
    }

    /**
     * Makes up to {@code slots} slots ready for a lease that takes no page fault: free slots whose pages are not
     * resident are committed and get the pages their reset would keep resident faulted in, in slot order, until
     * {@code slots} slots of the pool are warm (used or prewarmed since their last idle purge). Those pages are
     * the policy's budget, at most a slot: {@code keepResident(bytes)}'s and {@code trackWrites(bytes)}'s
     * {@code bytes}, all of a slot for {@code zeroAll()} and {@code noZeroing()}, none for {@code decommitAll()}
     * and for a policy of your own (the pool cannot know what it keeps). Each page is faulted in by writing a
     * zero to it, so the slot still reads zero.
     *
     * <p>It costs a page fault per page (about 1.5 us each for 4 KiB pages, so some 1.5 ms per slot of 4 MiB)
     * and that much memory, in the calling thread, now rather than in the first requests. A lease that finds no
     * other slot free waits for the one being warmed. Calling it again with the same number warms nothing more,
     * unless an idle purge returned pages meanwhile ({@link Builder#idlePurgeAfter}: warm slots that stay free
     * that long are purged again). Leased slots are not warmed.
     *
     * <p>A slot counts as warmed only if pages were faulted into it: under {@code decommitAll()}, a policy of your
     * own, or a budget under a page, nothing is, this returns 0, and {@link PoolMetrics#prewarmed()} stays put.
     *
     * @param slots how many slots should be warm; from 0 to {@link #slots()}
     * @return how many slots this call faulted pages into
     * @throws IllegalArgumentException if {@code slots} is negative or more than the pool has
     * @throws IllegalStateException if the pool is closed or closing
     * @throws OsException if committing a slot's pages fails
     */
    public int prewarm(int slots) {
        if (slots < 0 || slots > this.slots.length) {
            throw new IllegalArgumentException("slots must be between 0 and " + this.slots.length + " for " + label
                    + ": " + slots);
        }
        checkOpen();
        Lifetime.Hold hold;
        try {
            hold = Bridge.acquire(lifetime);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(label + " is closed", e);
        }
        try {
            long budget = Bridge.residentBudget(policy);
            long bytes = budget < 0 ? 0 : Math.min(budget, slotSize);
            int warmNow = 0;
            for (int slot = 0; slot < this.slots.length; slot++) {
                if (state.get(slot) != RETIRED && warm[slot]) {
                    warmNow++;
                }
            }
            int warmed = 0;
            for (int slot = 0; slot < this.slots.length && warmNow < slots; slot++) {
                checkOpen();
                if (!state.compareAndSet(slot, FREE, TENDING)) {
                    continue;
                }
                boolean done = false;
                try {
                    // a slot whose policy keeps nothing resident gets nothing faulted in: it is not warm, nor counted
                    if (!warm[slot] && faultIn(this.slots[slot], bytes)) {
                        if (residentEnds != null) {
                            residentEnds[slot] = null; // the pages it faulted in lie past what the slot's resets know of
                        }
                        warm[slot] = true;
                        idleSince[slot] = System.nanoTime();
                        warmed++;
                        warmNow++;
                        prewarmed.increment();
                    }
                    done = true;
                } finally {
                    state.set(slot, FREE);
                    if (done) {
                        freed(slot);
                    }
                }
            }
            return warmed;
        } finally {
            hold.close();
        }
    }

    /**
     * Commits the first {@code bytes} of a free slot and writes a zero to each of their pages: the kernel zero-fills
     * each one as it faults it in. {@return whether there was a whole page to fault in}
     */
    private static boolean faultIn(OsBacked slot, long bytes) {
        long page = slot.pageSize();
        long end = Checks.alignDown(bytes, page);
        if (end == 0) {
            return false;
        }
        slot.commit(0, end);
        for (long offset = 0; offset < end; offset += page) {
            slot.zero(offset, 1);
        }
        return true;
    }

    /** The purger's loop: purges the slots that are due, sleeps until the next one may be, until the pool closes. */
    private void purgeLoop() {
        while (!purgerStopped) {
            long sleep = purgeAfterNanos;
            try {
                sleep = purgeIdleSlots();
            } catch (Throwable t) {
                // purgeIdleSlots catches each slot's failure; this is one of the loop itself
                purgeFailures.increment();
                LOG.log(System.Logger.Level.WARNING, label + ": the idle purge failed; it goes on", t);
            }
            if (!purgerStopped) {
                LockSupport.parkNanos(this, Math.max(sleep, MIN_PURGE_PARK_NANOS));
                Thread.interrupted(); // only close() stops the purger; a stray interrupt would make every park return at once
            }
        }
    }

    /** Purges every free slot idle for the delay; {@return the nanoseconds until the next slot may be due} */
    private long purgeIdleSlots() {
        long next = purgeAfterNanos;
        for (int slot = 0; slot < slots.length && !purgerStopped && !closing; slot++) {
            // racy reads, only to skip slots; the slot is checked again once it is the purger's
            if (state.get(slot) != FREE || !warm[slot]) {
                continue;
            }
            long idle = System.nanoTime() - idleSince[slot];
            if (idle < purgeAfterNanos) {
                next = Math.min(next, purgeAfterNanos - idle);
                continue;
            }
            Lifetime.Hold hold;
            try {
                hold = Bridge.acquire(lifetime); // close() waits for it: the slot stays mapped until the purge ends
            } catch (IllegalStateException closed) {
                return next;
            }
            try {
                if (state.compareAndSet(slot, FREE, TENDING)) {
                    try {
                        purge(slot);
                    } finally {
                        state.set(slot, FREE);
                    }
                }
            } finally {
                hold.close();
            }
        }
        return next;
    }

    /**
     * Returns the pages of a slot the purger holds ({@code TENDING}) if it is still due: it may have been leased
     * and returned since the purger looked. Afterwards its pages read zero. A failure is logged and counted, and
     * the slot is not purged again until it is used again; its bytes read zero either way (a release is all or nothing).
     */
    private void purge(int slot) {
        long idle = System.nanoTime() - idleSince[slot];
        if (!warm[slot] || idle < purgeAfterNanos) {
            return;
        }
        IdlePurgeEvent event = new IdlePurgeEvent();
        event.begin();
        try {
            OsBacked range = slots[slot];
            long length = Checks.alignDown(range.committed(), range.pageSize());
            long released = region instanceof MmapBacked mmap ? mmap.residentBytes(slot * slotSize, length) : length;
            if (length > 0) {
                range.releasePages(0, length);
            }
            purges.increment();
            purgedBytes.add(released);
            event.end();
            if (event.shouldCommit()) {
                event.pool = name;
                event.slot = slot;
                event.idle = idle;
                event.bytesReleased = released;
                event.commit();
            }
        } catch (RuntimeException | Error e) {
            purgeFailures.increment();
            LOG.log(System.Logger.Level.WARNING, label + ": the idle purge of slot " + slot
                    + " failed; its pages stay resident (they read zero) until it is used again", e);
        } finally {
            warm[slot] = false;
        }
    }

    /**
     * {@return the pool's counters now} Cheap: reads counters only, no system call. A lease that was never
     * closed counts as out until it is reclaimed ({@link #reclaimLeaked()}).
     */
    public PoolMetrics metrics() {
        Map<ResetStrategy, Long> byStrategy = new EnumMap<>(ResetStrategy.class);
        for (ResetStrategy s : ResetStrategy.values()) {
            long n = counts.sum(resets(s));
            if (n > 0) {
                byStrategy.put(s, n);
            }
        }
        return new PoolMetrics(slots.length, leased(), scrubbing.get(), retired.get(),
                available.getQueueLength(), counts.sum(LEASES), reclaimed.sum(), resetFailures.sum(), byStrategy,
                prewarmed.sum(), purges.sum(), purgedBytes.sum(), purgeFailures.sum());
    }

    /** {@return the counter of resets by {@code strategy} in {@link #counts}} */
    private static int resets(ResetStrategy strategy) {
        return LEASES + 1 + strategy.ordinal();
    }

    /** {@return the leases out now} */
    private int leased() {
        int n = 0;
        for (int i = 0; i < slots.length; i++) {
            if (leasesBySlot.get(i) != null) {
                n++;
            }
        }
        return n;
    }

    /**
     * {@return the bytes of the pool's memory resident now} It asks the kernel about every page of every
     * slot ({@code mincore}), about a microsecond per megabyte of reservation: for diagnosis, not for a hot path.
     *
     * @throws UnsupportedOperationException if the backing cannot tell (it is not an {@link MmapBacked})
     * @throws IllegalStateException if the pool is closed
     */
    public long residentBytes() {
        lifetime.checkAlive();
        if (region instanceof MmapBacked mmap) {
            return mmap.residentBytes(0, slotSize * slots.length);
        }
        throw new UnsupportedOperationException("resident bytes of " + region + " are unknown");
    }

    private void logStart(Duration leaseTimeout, boolean scrub, Duration purgeAfter) {
        LOG.log(System.Logger.Level.INFO, "{0} started over {1}: reset policy {2}, lease timeout {3}, overflow {4}, "
                        + "scrub {5}, lease sites {6}, listener per lease {7}, idle purge {8}",
                label, region, policy, leaseTimeout, overflow == null ? "none" : overflow,
                scrub ? "in background" : "inline", recordSites ? "recorded" : "not recorded",
                listeners == null ? "none" : "yes", purgeAfter == null ? "never" : "after " + purgeAfter);
    }

    /** {@return the pool's name, as its builder set it or {@code pool-<n>}} */
    public String name() {
        return name;
    }

    /** {@return the size of each slot} */
    public long slotSize() {
        return slotSize;
    }

    /** {@return the number of slots, retired ones included} */
    public int slots() {
        return slots.length;
    }

    boolean scrubsInBackground() {
        return scrubber != null;
    }

    /** Test hook: {@code hook} runs on the scrubber between giving a slot's pool hold back and waking a closing pool. */
    void afterScrubRelease(Runnable hook) {
        this.afterScrubRelease = hook;
    }

    /**
     * Closes the pool if no lease is out: waits for background scrubs and a purge under way, stops the scrubber
     * and the purger, and unmaps the
     * reservation (a region given to {@link Builder#memory} is released, not closed). Leases of threads that
     * ended are reclaimed first.
     *
     * @throws IllegalStateException if leases are out, or the pool is already closed; nothing changes then
     */
    @Override
    public void close() {
        close(Duration.ZERO);
    }

    /**
     * Closes the pool like {@link #close()}, first waiting up to {@code timeout} for the leases that are out
     * to be closed; no new lease is granted meanwhile.
     *
     * @param timeout how long to wait for the leases that are out; {@link Duration#ZERO} does not wait
     * @throws NullPointerException if {@code timeout} is {@code null}
     * @throws IllegalStateException if leases are still out after the timeout (naming them), the thread was
     *         interrupted while it waited (its interrupt status is then set), or the pool is already closed;
     *         an open pool then stays open and leases again
     */
    public void close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        synchronized (closeLock) {
            lifetime.checkAlive();
            closing = true;
            long deadline = System.nanoTime() + TimeUnit.NANOSECONDS.convert(timeout);
            try {
                while (true) {
                    reclaimLeaked();
                    if (lifetime.holders() == 0) {
                        try {
                            lifetime.close();
                            return;
                        } catch (IllegalStateException raced) {
                            // a lease took its hold just now; it sees the pool closing and gives it back
                            lifetime.checkAlive();
                        }
                    }
                    long left = deadline - System.nanoTime();
                    int out = leased();
                    if (out > 0 && left <= 0) {
                        throw new IllegalStateException(label + " has " + out
                                + " lease(s) out; close them first" + describeLeases());
                    }
                    synchronized (scrubbed) {
                        // a scrub that ends between the check above and here is seen at the next turn, at most 50 ms on
                        scrubbed.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.clamp(left, 0, REAP_INTERVAL_NANOS))));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while closing " + label, e);
            } finally {
                if (lifetime.isAlive()) {
                    closing = false;
                }
            }
        }
    }

    private String describeLeases() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < slots.length; i++) {
            Lease lease = leasesBySlot.get(i);
            if (lease != null) {
                out.append("\n  slot ").append(i).append(" leased by ").append(lease.thread);
                if (lease.site != null) {
                    StackTraceElement[] trace = lease.site.getStackTrace();
                    out.append(" at ").append(trace.length > 1 ? trace[1] : "?");
                }
            }
        }
        return out.toString();
    }

    /** The release action of the pool's lifetime: runs once, with no lease and no scrub left. */
    private void shutDown() {
        try {
            if (objectName != null) {
                MBeans.unregister(objectName);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, label + ": unregistering its MBean failed", e);
        }
        try {
            if (purger != null) {
                // no purge is under way (it holds the lifetime) and none can start (the lifetime is closed)
                purgerStopped = true;
                LockSupport.unpark(purger);
                try {
                    purger.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (scrubber != null) {
                scrubQueue.add(new Lease(-1, null, null, null, null, null));
                try {
                    scrubber.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        } finally {
            closeSlotsAndRegion();
        }
    }

    /** Closes every slot and then the region (if the pool mapped it), even when one of them fails; the first failure is thrown. */
    private void closeSlotsAndRegion() {
        RuntimeException failure = null;
        for (OsBacked slot : slots) {
            if (slot != null) {
                try {
                    slot.close();
                } catch (RuntimeException e) {
                    failure = first(failure, e);
                }
            }
        }
        if (ownsRegion && region != null) {
            try {
                region.close();
            } catch (RuntimeException e) {
                failure = first(failure, e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException first(RuntimeException failure, RuntimeException next) {
        if (failure == null) {
            return next;
        }
        failure.addSuppressed(next);
        return failure;
    }

    @Override
    public String toString() {
        return label;
    }
}
