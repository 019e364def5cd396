package dev.pagewise.crash;

import dev.pagewise.core.Allocator;
import dev.pagewise.core.BumpArena;
import dev.pagewise.core.ConcurrentSizeClassed;
import dev.pagewise.core.FixedRange;
import dev.pagewise.core.GuardPage;
import dev.pagewise.core.Lifetime;
import dev.pagewise.core.NativeBacked;
import dev.pagewise.core.OsBacked;
import dev.pagewise.core.OwnedSlab;
import dev.pagewise.core.PoisonOnFree;
import dev.pagewise.core.Protection;
import dev.pagewise.core.Quarantine;
import dev.pagewise.core.ResetPolicy;
import dev.pagewise.core.ResetReport;
import dev.pagewise.core.ResetStrategy;
import dev.pagewise.core.SharedBumpArena;
import dev.pagewise.core.SizeClassed;
import dev.pagewise.core.Slab;
import dev.pagewise.core.StackArena;
import dev.pagewise.os.ArenaPool;
import dev.pagewise.os.MapOptions;
import dev.pagewise.os.OsMemory;
import dev.pagewise.os.RequestArena;
import dev.pagewise.os.linux.Locked;
import dev.pagewise.os.linux.MmapBacked;
import dev.pagewise.os.linux.NumaLocal;
import dev.pagewise.os.linux.NumaPolicy;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Runs in a forked JVM as unprivileged code: on the class path, in the unnamed module, with native access
 * granted to Pagewise's modules only. Each path drives the public API the way a careless or hostile caller
 * would, toward unmapped, uncommitted, protected or another tenant's memory. A path passes when the
 * dangerous step throws the expected exception; the JVM surviving every path is the point. The name of a
 * path is printed before it runs, so a crash names the path that caused it.
 */
public final class UnprivilegedPaths {

    private static final long PAGE = 4096;
    private static final MapOptions LAZY = MapOptions.DEFAULT.withLazyCommit();

    private UnprivilegedPaths() {
    }

    /** A step that must throw {@code expected}. */
    private record Path(Class<? extends Throwable> expected, Step step) {
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Throwable;
    }

    static Map<String, Path> paths() {
        Map<String, Path> p = new LinkedHashMap<>();
        // Raw access is restricted.
        p.put("lazy mmap: segment() of the uncommitted range", new Path(IllegalCallerException.class,
                () -> MmapBacked.map(1 << 20, LAZY).segment().get(JAVA_BYTE, 4096)));
        p.put("eager mmap: segment()", new Path(IllegalCallerException.class, () -> MmapBacked.map(1 << 20).segment()));
        p.put("OsMemory.map: segment()", new Path(IllegalCallerException.class, () -> OsMemory.map(1 << 20).segment()));
        p.put("NativeBacked: segment()", new Path(IllegalCallerException.class, () -> NativeBacked.allocate(4096).segment()));
        p.put("slice: segment()", new Path(IllegalCallerException.class,
                () -> MmapBacked.map(1 << 20, LAZY).slice(0, 64 << 10).segment()));
        p.put("plain slice: segment()", new Path(IllegalCallerException.class,
                () -> NativeBacked.allocate(8192).slice(0, 4096).segment()));
        p.put("GuardPage: segment()", new Path(IllegalCallerException.class,
                () -> GuardPage.around(MmapBacked.map(64 << 10)).segment()));
        p.put("Locked: segment()", new Path(IllegalCallerException.class, () -> {
            try (Locked locked = Locked.map(64 << 10, false)) {
                locked.segment();
            }
        }));
        p.put("NumaLocal.bind (splits VMAs)", new Path(IllegalCallerException.class, () -> {
            try (MmapBacked m = MmapBacked.map(1 << 20)) {
                NumaLocal.bind(m, 0, PAGE, NumaPolicy.preferred(0), false);
            }
        }));
        p.put("NumaLocal.setThreadPolicy (steers the JVM's memory)", new Path(IllegalCallerException.class,
                () -> NumaLocal.setThreadPolicy(NumaPolicy.DEFAULT)));
        p.put("protect NONE under an arena", new Path(IllegalCallerException.class, () -> {
            MmapBacked m = MmapBacked.map(1 << 20);
            BumpArena arena = BumpArena.over(m);
            MemorySegment s = arena.allocate(4096, 4096);
            m.protect(0, 1 << 20, Protection.NONE);
            s.get(JAVA_BYTE, 0);
        }));
        p.put("protect through a slice", new Path(IllegalCallerException.class,
                () -> MmapBacked.map(1 << 20).slice(0, 64 << 10).protect(0, PAGE, Protection.NONE)));
        p.put("protect through a GuardPage", new Path(IllegalCallerException.class,
                () -> GuardPage.around(MmapBacked.map(64 << 10)).protect(0, PAGE, Protection.NONE)));
        p.put("guard under an arena", new Path(IllegalCallerException.class, () -> {
            MmapBacked m = MmapBacked.map(1 << 20);
            MemorySegment s = BumpArena.over(m).allocate(4096, 4096);
            m.guard(0, PAGE);
            s.get(JAVA_BYTE, 0);
        }));
        p.put("guard through a slice", new Path(IllegalCallerException.class,
                () -> MmapBacked.map(1 << 20).slice(0, 64 << 10).guard(0, PAGE)));
        p.put("guard through a GuardPage", new Path(IllegalCallerException.class,
                () -> GuardPage.around(MmapBacked.map(64 << 10)).guard(0, PAGE)));
        p.put("unguard through a GuardPage", new Path(IllegalCallerException.class,
                () -> GuardPage.around(MmapBacked.map(64 << 10)).unguard(0, PAGE)));
        p.put("unchecked BumpArena", new Path(IllegalCallerException.class,
                () -> BumpArena.builder(NativeBacked.allocate(4096)).unchecked()));
        p.put("unchecked SharedBumpArena", new Path(IllegalCallerException.class,
                () -> SharedBumpArena.builder(NativeBacked.allocate(4096)).unchecked()));
        p.put("unchecked StackArena", new Path(IllegalCallerException.class,
                () -> StackArena.uncheckedOver(NativeBacked.allocate(4096))));
        p.put("noZeroing policy", new Path(IllegalCallerException.class, ResetPolicy::noZeroing));
        p.put("Slab without zeroing", new Path(IllegalCallerException.class,
                () -> Slab.withoutZeroing(NativeBacked.allocate(4096), 64)));
        p.put("SizeClassed without zeroing", new Path(IllegalCallerException.class,
                () -> SizeClassed.builder(NativeBacked.allocate(1 << 20)).withoutZeroing()));
        p.put("ExtendableSlab without zeroing", new Path(IllegalCallerException.class,
                () -> dev.pagewise.core.ExtendableSlab.builder(NativeBacked.allocate(1 << 20), 64).withoutZeroing()));
        p.put("GenerationalSlab without zeroing", new Path(IllegalCallerException.class,
                () -> dev.pagewise.core.GenerationalSlab.builder(NativeBacked.allocate(1 << 20), 64).withoutZeroing()));
        p.put("OwnedSlab without zeroing", new Path(IllegalCallerException.class,
                () -> OwnedSlab.withoutZeroing(NativeBacked.allocate(4096), 64)));
        p.put("ConcurrentSizeClassed without zeroing", new Path(IllegalCallerException.class,
                () -> ConcurrentSizeClassed.builder(NativeBacked.allocate(4 << 20)).withoutZeroing()));
        p.put("ConcurrentSizeClassed: a block written after another thread closed it and unmapped the range",
                new Path(IllegalStateException.class, () -> {
                    MmapBacked range = MmapBacked.map(4 << 20);
                    ConcurrentSizeClassed classes = ConcurrentSizeClassed.builder(range).heaps(2).build();
                    MemorySegment block = classes.allocate(4096, 8);
                    Thread.ofPlatform().start(() -> {
                        classes.close();
                        range.close();
                    }).join();
                    block.set(JAVA_BYTE, 0, (byte) 1);
                }));
        p.put("ConcurrentSizeClassed: a remote free racing a close and unmap", new Path(IllegalStateException.class, () -> {
            MmapBacked range = MmapBacked.map(4 << 20);
            ConcurrentSizeClassed classes = ConcurrentSizeClassed.builder(range).heaps(2).build();
            List<MemorySegment> blocks = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                blocks.add(classes.allocate(64, 8));
            }
            AtomicReference<Throwable> unexpected = new AtomicReference<>();
            Thread freer = Thread.ofPlatform().start(() -> {
                try {
                    for (MemorySegment b : blocks) {
                        classes.deallocate(b); // a remote free: after the close it must throw, not write
                    }
                } catch (IllegalStateException closed) {
                    // expected once the close has begun
                } catch (Throwable t) {
                    unexpected.set(t);
                }
            });
            Thread closer = Thread.ofPlatform().start(() -> {
                classes.close();
                range.close();
            });
            freer.join();
            closer.join();
            if (unexpected.get() != null) {
                throw unexpected.get();
            }
            classes.deallocate(blocks.getLast());
        }));
        // A segment made from a number (MemorySegment.ofAddress is not restricted) must never count as a block:
        // resized in place it would be a view of another request's live block, freed it would hand that block on.
        for (String kind : List.of("Slab", "SizeClassed", "OwnedSlab", "ExtendableSlab", "HardenedSlab",
                "ConcurrentSizeClassed")) {
            p.put(kind + ": reallocate of a segment made from a live block's address", new Path(
                    IllegalArgumentException.class, () -> fabricated(kind, true)));
            p.put(kind + ": deallocate of a segment made from a live block's address", new Path(
                    IllegalArgumentException.class, () -> fabricated(kind, false)));
        }
        p.put("a restricted method through a method reference run by Pagewise", new Path(IllegalCallerException.class, () -> {
            SizeClassed.Builder b = SizeClassed.builder(NativeBacked.allocate(1 << 20));
            Lifetime.create("bounce", b::withoutZeroing).close();
        }));
        p.put("a restricted method through a method reference run by the JDK", new Path(IllegalCallerException.class,
                () -> java.util.Optional.of(BumpArena.builder(NativeBacked.allocate(4096))).map(BumpArena.Builder::unchecked)));
        p.put("a restricted method through reflection", new Path(IllegalCallerException.class, () -> {
            try {
                ResetPolicy.class.getMethod("noZeroing").invoke(null);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
            }
        }));
        p.put("a reset policy of one's own (a no-op noZeroing)", new Path(IllegalCallerException.class,
                () -> BumpArena.builder(NativeBacked.allocate(4096))
                        .resetPolicy((range, offset, length) -> ResetReport.empty(ResetStrategy.NONE))));
        p.put("a pool reset policy of one's own", new Path(IllegalCallerException.class,
                () -> ArenaPool.builder(1, 1 << 20).resetPolicy((range, offset, length) -> ResetReport.empty(ResetStrategy.NONE))));
        p.put("overflowTo (its blocks are handed out in the lease's scope)", new Path(IllegalCallerException.class,
                () -> ArenaPool.builder(1, 1 << 20).overflowTo(SharedBumpArena.over(MmapBacked.map(1 << 20)))));

        // Lazy, uncommitted memory: allocators hand out committed memory only, and FFM bounds every access.
        p.put("lazy arena: read past the allocated segment", new Path(IndexOutOfBoundsException.class, () -> {
            BumpArena arena = BumpArena.over(MmapBacked.map(1 << 20, LAZY));
            arena.allocate(4096, 8).get(JAVA_BYTE, 4096);
        }));
        p.put("ExtendableSlab: a stale segment of a purged chunk reads zero and writes, then dies with the slab", new Path(
                IllegalStateException.class, () -> {
            dev.pagewise.core.ExtendableSlab slab = dev.pagewise.core.ExtendableSlab.builder(MmapBacked.map(1 << 20, LAZY), 4096)
                    .purge(dev.pagewise.core.PurgePolicy.immediately()).build();
            MemorySegment stale = slab.allocate(4096, 8);
            stale.fill((byte) 1);
            slab.deallocate(stale);
            if (stale.get(JAVA_BYTE, 4095) != 0) {
                throw new AssertionError("a released page should read zero");
            }
            stale.fill((byte) 2);
            slab.close();
            stale.get(JAVA_BYTE, 0);
        }));
        p.put("GenerationalSlab: a resolved segment dies with the slab", new Path(IllegalStateException.class, () -> {
            dev.pagewise.core.GenerationalSlab slab = dev.pagewise.core.GenerationalSlab.over(MmapBacked.map(1 << 20, LAZY), 64);
            MemorySegment s = slab.resolve(slab.allocateHandle());
            slab.close();
            s.get(JAVA_BYTE, 0);
        }));
        p.put("lazy arena: zero past the committed prefix", new Path(IllegalArgumentException.class, () -> {
            MmapBacked m = MmapBacked.map(1 << 20, LAZY);
            m.commit(0, 1);
            m.zero(0, 1 << 20);
        }));
        p.put("lazy arena: every policy resets what it used", new Path(null, () -> {
            for (ResetPolicy policy : List.of(ResetPolicy.zeroAll(), ResetPolicy.decommitAll(),
                    ResetPolicy.keepResident(0), ResetPolicy.keepResident(64 << 10), ResetPolicy.trackWrites(1 << 20))) {
                MmapBacked m = MmapBacked.map(4 << 20, LAZY);
                try (BumpArena arena = BumpArena.builder(m).resetPolicy(policy).closeRangeOnClose().build()) {
                    arena.allocate(3 << 20, 8).fill((byte) 1);
                    arena.reset();
                    arena.allocate(100, 8).fill((byte) 2);
                }
            }
        }));

        // Guard pages: the usable middle is all anyone reaches, and resets stay inside it.
        p.put("GuardPage: read past the arena's last block", new Path(IndexOutOfBoundsException.class, () -> {
            GuardPage g = GuardPage.around(MmapBacked.map(16 * PAGE, LAZY));
            BumpArena arena = BumpArena.over(g);
            MemorySegment all = arena.allocate(g.byteSize(), 1);
            all.get(JAVA_BYTE, all.byteSize());
        }));
        p.put("GuardPage: every policy resets the whole middle", new Path(null, () -> {
            for (ResetPolicy policy : List.of(ResetPolicy.zeroAll(), ResetPolicy.decommitAll(), ResetPolicy.keepResident(0),
                    ResetPolicy.keepResident(PAGE), ResetPolicy.defaultPolicy(), ResetPolicy.trackWrites(1 << 20))) {
                MmapBacked m = MmapBacked.map(64 * PAGE, LAZY);
                GuardPage g = GuardPage.around(m);
                try (BumpArena arena = BumpArena.builder(g).resetPolicy(policy).build()) {
                    for (int round = 0; round < 3; round++) {
                        arena.allocate(g.byteSize(), 1).fill((byte) 9);
                        arena.reset();
                    }
                }
                g.close();
                m.close();
            }
        }));
        p.put("GuardPage around a mapping an arena uses (it would protect pages under the arena)", new Path(IllegalStateException.class, () -> {
            MmapBacked m = MmapBacked.map(1 << 20);
            MemorySegment s = BumpArena.over(m).allocate(4096, 4096);
            GuardPage.around(m);
            s.get(JAVA_BYTE, 0);
        }));
        p.put("an arena over a mapping a GuardPage owns", new Path(IllegalStateException.class, () -> {
            MmapBacked m = MmapBacked.map(1 << 20);
            GuardPage.around(m);
            BumpArena.over(m).allocate(4096, 4096).get(JAVA_BYTE, 0);
        }));
        p.put("close a range under a live arena", new Path(IllegalStateException.class, () -> {
            MmapBacked m = MmapBacked.map(1 << 20);
            BumpArena.over(m).allocate(64, 8);
            m.close();
        }));
        p.put("read an arena's segment after arena and range closed", new Path(IllegalStateException.class, () -> {
            MmapBacked m = MmapBacked.map(1 << 20);
            BumpArena arena = BumpArena.over(m);
            MemorySegment s = arena.allocate(64, 8);
            arena.close();
            m.close();
            s.get(JAVA_LONG, 0);
        }));
        p.put("read a slab's segment after slab and range closed", new Path(IllegalStateException.class, () -> {
            MmapBacked m = MmapBacked.map(1 << 20);
            Slab slab = Slab.over(m, 64);
            MemorySegment s = slab.allocate(64, 8);
            slab.close();
            m.close();
            s.get(JAVA_LONG, 0);
        }));
        p.put("commit a closed range", new Path(IllegalStateException.class, () -> {
            MmapBacked m = MmapBacked.map(1 << 20, LAZY);
            m.close();
            m.commit(0, 1);
        }));

        // Released slices: a slice's segments die with it, and a slab's with the slab.
        p.put("read a slab's segment after its slice was released and reused", new Path(IllegalStateException.class, () -> {
            MmapBacked m = MmapBacked.map(1 << 20);
            OsBacked part = m.slice(0, 64 << 10);
            Slab slab = Slab.over(part, 64);
            MemorySegment old = slab.allocate(64, 8);
            slab.close();
            part.close();
            BumpArena next = BumpArena.over(m);
            next.allocate(64, 8).set(JAVA_LONG, 0, 0x5EC12E7L);
            old.get(JAVA_LONG, 0);
        }));
        p.put("read an arena's segment after its slice closed", new Path(IllegalStateException.class, () -> {
            MmapBacked m = MmapBacked.map(1 << 20);
            OsBacked part = m.slice(64 << 10, 64 << 10);
            BumpArena arena = BumpArena.over(part);
            MemorySegment s = arena.allocate(64, 8);
            arena.close();
            part.close();
            s.get(JAVA_LONG, 0);
        }));
        p.put("SizeClassed segment after close", new Path(IllegalStateException.class, () -> {
            SizeClassed sc = SizeClassed.over(MmapBacked.map(4 << 20));
            MemorySegment s = sc.allocate(100, 8);
            sc.close();
            s.get(JAVA_LONG, 0);
        }));

        // Reset and popped arenas: stale segments throw instead of showing the next generation.
        p.put("BumpArena segment after reset", new Path(IllegalStateException.class, () -> {
            BumpArena arena = BumpArena.over(MmapBacked.map(1 << 20));
            MemorySegment s = arena.allocate(64, 8);
            arena.reset();
            arena.allocate(64, 8).set(JAVA_LONG, 0, 1);
            s.get(JAVA_LONG, 0);
        }));
        p.put("SharedBumpArena segment after reset", new Path(IllegalStateException.class, () -> {
            SharedBumpArena arena = SharedBumpArena.over(MmapBacked.map(1 << 20));
            MemorySegment s = arena.allocate(64, 8);
            arena.reset();
            s.get(JAVA_LONG, 0);
        }));
        p.put("SharedBumpArena allocates after close from a thread holding a chunk", new Path(IllegalStateException.class, () -> {
            MmapBacked m = MmapBacked.map(1 << 20);
            SharedBumpArena arena = SharedBumpArena.over(m);
            arena.allocate(16, 8);
            arena.close();
            arena.allocate(16, 8);
        }));
        p.put("popped StackArena frame", new Path(IllegalStateException.class, () -> {
            StackArena stack = StackArena.over(MmapBacked.map(1 << 20));
            MemorySegment s;
            try (StackArena.Frame frame = stack.push()) {
                s = frame.allocate(64, 8);
            }
            try (StackArena.Frame frame = stack.push()) {
                frame.allocate(64, 8).set(JAVA_LONG, 0, 7);
                s.get(JAVA_LONG, 0);
            }
        }));

        // Pools: closed leases and closed pools throw; overflow blocks die with their lease.
        p.put("lease segment after the lease closed", new Path(IllegalStateException.class, () -> {
            ArenaPool pool = ArenaPool.builder(2, 1 << 20).build();
            MemorySegment s;
            try (RequestArena lease = pool.lease()) {
                s = lease.allocate(64, 8);
            }
            s.get(JAVA_LONG, 0);
        }));
        p.put("lease from a closed pool", new Path(IllegalStateException.class, () -> {
            ArenaPool pool = ArenaPool.builder(2, 1 << 20).build();
            pool.close();
            pool.lease();
        }));
        p.put("segment of a lease whose thread ended, after reclaim", new Path(IllegalStateException.class, () -> {
            ArenaPool pool = ArenaPool.builder(1, 1 << 20).leaseTimeout(Duration.ofSeconds(5)).build();
            AtomicReference<MemorySegment> leaked = new AtomicReference<>();
            Thread t = Thread.ofVirtual().start(() -> leaked.set(pool.lease().allocate(64, 8)));
            t.join();
            try (RequestArena next = pool.lease()) {
                next.allocate(64, 8).set(JAVA_LONG, 0, 0x5EC12E7L);
                try {
                    leaked.get().get(JAVA_LONG, 0);
                } catch (WrongThreadException confinedToTheDeadThread) {
                    throw new IllegalStateException(confinedToTheDeadThread);
                }
            }
        }));
        p.put("close a pool with a lease out", new Path(IllegalStateException.class, () -> {
            ArenaPool pool = ArenaPool.builder(2, 1 << 20).build();
            pool.lease();
            pool.close();
        }));

        // Frees that must be rejected without touching memory.
        p.put("PoisonOnFree: double free into a slab", new Path(IllegalArgumentException.class, () -> {
            Slab slab = Slab.over(MmapBacked.map(1 << 20), 64);
            Allocator poisoned = PoisonOnFree.over(slab);
            MemorySegment s = poisoned.allocate(64, 8);
            poisoned.deallocate(s);
            poisoned.deallocate(s);
        }));
        p.put("Quarantine: double free", new Path(IllegalArgumentException.class, () -> {
            Slab slab = Slab.over(MmapBacked.map(1 << 20), 64);
            Quarantine q = Quarantine.over(slab, 8, 1 << 20);
            MemorySegment s = q.allocate(64, 8);
            q.deallocate(s);
            q.deallocate(s);
        }));
        p.put("Slab: free of another arena's segment", new Path(IllegalArgumentException.class, () -> {
            Slab slab = Slab.over(MmapBacked.map(1 << 20), 64);
            slab.deallocate(BumpArena.over(MmapBacked.map(1 << 20)).allocate(64, 8));
        }));
        p.put("an arena over a range of one's own whose memory it frees", new Path(IllegalCallerException.class, () -> {
            java.lang.foreign.Arena memory = java.lang.foreign.Arena.ofShared();
            BumpArena arena = BumpArena.over(new BorrowedRange(memory.allocate(1 << 20, 4096)));
            memory.close();
            arena.allocate(8, 8).get(JAVA_LONG, 0);
        }));
        p.put("a slab over a range of one's own", new Path(IllegalCallerException.class,
                () -> Slab.over(new BorrowedRange(java.lang.foreign.Arena.ofAuto().allocate(1 << 20, 4096)), 64)));
        p.put("a slice of a range of one's own", new Path(IllegalCallerException.class,
                () -> new BorrowedRange(java.lang.foreign.Arena.ofAuto().allocate(1 << 20, 4096)).slice(0, 4096)));
        p.put("a size-classed allocator over a range of one's own", new Path(IllegalCallerException.class,
                () -> SizeClassed.over(new BorrowedRange(java.lang.foreign.Arena.ofAuto().allocate(4 << 20, 4096)))));
        p.put("GuardPage over a slice (its parent's other users could reach the guards)", new Path(IllegalArgumentException.class, () -> {
            MmapBacked m = MmapBacked.map(64 * PAGE);
            GuardPage.around(m.slice(0, 16 * PAGE));
            BumpArena.over(m).allocate(16, 8).get(JAVA_BYTE, 0);
        }));
        return p;
    }

    /** A range of one's own over memory it does not keep alive: what Pagewise must not re-scope for unprivileged code. */
    private record BorrowedRange(MemorySegment memory, Lifetime lifetime) implements FixedRange {
        BorrowedRange(MemorySegment memory) {
            this(memory, Lifetime.create("borrowed", () -> { }));
        }

        @Override
        public MemorySegment segment() {
            return memory;
        }

        @Override
        public long byteSize() {
            return memory.byteSize();
        }

        @Override
        public long committed() {
            return memory.byteSize();
        }

        @Override
        public void commit(long offset, long length) {
        }
    }

    /**
     * Paths that begin with a restricted call, made here with native access: after a privileged
     * {@code protect}, a reset or release refuses the protected pages instead of faulting on them.
     */
    static Map<String, Path> privilegedPaths() {
        Map<String, Path> p = new LinkedHashMap<>();
        p.put("reset after protect READ (privileged protect)", new Path(IllegalStateException.class, () -> {
            MmapBacked m = MmapBacked.map(1 << 20);
            BumpArena arena = BumpArena.builder(m).resetPolicy(ResetPolicy.zeroAll()).build();
            arena.allocate(8192, 8).fill((byte) 1);
            m.protect(0, PAGE, Protection.READ);
            arena.reset();
        }));
        p.put("releasePages over a protected page", new Path(IllegalStateException.class, () -> {
            MmapBacked m = MmapBacked.map(1 << 20);
            m.protect(PAGE, PAGE, Protection.NONE);
            m.releasePages(0, 2 * PAGE);
        }));
        p.put("zero over a protected page", new Path(IllegalStateException.class, () -> {
            MmapBacked m = MmapBacked.map(1 << 20);
            m.protect(PAGE, PAGE, Protection.NONE);
            m.zero(0, 2 * PAGE);
        }));

        p.put("protect past the committed prefix", new Path(IllegalArgumentException.class,
                () -> MmapBacked.map(1 << 20, LAZY).protect(0, PAGE, Protection.READ)));
        p.put("overflow segment after the lease closed", new Path(IllegalStateException.class, () -> {
            SharedBumpArena overflow = SharedBumpArena.over(MmapBacked.map(4 << 20)); // restricted: privileged here
            ArenaPool pool = ArenaPool.builder(1, 64 << 10).overflowTo(overflow).build();
            MemorySegment s;
            try (RequestArena lease = pool.lease()) {
                s = lease.allocate(1 << 20, 8);
            }
            try (RequestArena lease = pool.lease()) {
                lease.allocate(1 << 20, 8).fill((byte) 5);
                s.get(JAVA_BYTE, 0);
            }
        }));
        p.put("GuardPage: reset of the inner range over the guard", new Path(IllegalStateException.class, () -> {
            MmapBacked m = MmapBacked.map(16 * PAGE);
            GuardPage.around(m);
            m.releasePages(0, 16 * PAGE);
        }));
        return p;
    }

    /** Runs {@code unprivileged} (the default) or {@code privileged} paths; exits 0 when every one passed. */
    public static void main(String[] args) {
        boolean privileged = args.length > 0 && args[0].equals("privileged");
        Module me = UnprivilegedPaths.class.getModule();
        System.out.println("unnamed=" + !me.isNamed() + " nativeAccess=" + me.isNativeAccessEnabled()
                + " pagewise=" + FixedRange.class.getModule().getName()
                + " pagewiseNativeAccess=" + FixedRange.class.getModule().isNativeAccessEnabled());
        List<String> failures = new ArrayList<>();
        int passed = 0;
        for (Map.Entry<String, Path> e : (privileged ? privilegedPaths() : paths()).entrySet()) {
            System.out.println("run " + e.getKey());
            System.out.flush();
            Class<? extends Throwable> expected = e.getValue().expected();
            try {
                e.getValue().step().run();
                if (expected == null) {
                    passed++;
                    System.out.println("ok " + e.getKey());
                } else {
                    failures.add(e.getKey() + ": returned, expected " + expected.getSimpleName());
                }
            } catch (Throwable t) {
                if (expected != null && expected.isInstance(t)) {
                    passed++;
                    System.out.println("ok " + e.getKey() + " -> " + t.getClass().getSimpleName() + ": " + t.getMessage());
                } else {
                    failures.add(e.getKey() + ": threw " + t);
                }
            }
            System.out.flush();
        }
        failures.forEach(f -> System.out.println("FAIL " + f));
        System.out.println("paths=" + (passed + failures.size()) + " passed=" + passed + " failed=" + failures.size());
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    /** Allocates a victim block in a {@code kind} allocator, then resizes or frees a segment made from its address. */
    private static void fabricated(String kind, boolean resize) throws Throwable {
        NativeBacked range = NativeBacked.allocate(8 << 20);
        Allocator allocator = switch (kind) {
            case "Slab" -> Slab.over(range, 64);
            case "SizeClassed" -> SizeClassed.over(range);
            case "OwnedSlab" -> OwnedSlab.over(range, 64);
            case "ExtendableSlab" -> dev.pagewise.core.ExtendableSlab.over(range, 64);
            case "HardenedSlab" -> dev.pagewise.core.HardenedSlab.over(range, 64);
            default -> ConcurrentSizeClassed.over(range);
        };
        MemorySegment victim = allocator.allocate(16, 8);
        victim.set(JAVA_LONG, 0, 0x5EC2E7L);
        MemorySegment forged = MemorySegment.ofAddress(victim.address());
        try {
            if (resize) {
                MemorySegment view = allocator.reallocate(forged, 16);
                throw new AssertionError("got a view of the victim's block: " + view.get(JAVA_LONG, 0));
            }
            allocator.deallocate(forged);
            throw new AssertionError("freed the victim's block; its slot goes to the next request");
        } finally {
            if (victim.get(JAVA_LONG, 0) != 0x5EC2E7L) {
                throw new AssertionError("the victim's bytes changed");
            }
        }
    }
}
