package dev.pagewise.bench;

import dev.pagewise.core.AllocationListener;
import dev.pagewise.core.Allocator;
import dev.pagewise.core.Budget;
import dev.pagewise.core.BumpArena;
import dev.pagewise.core.Canary;
import dev.pagewise.core.LeakTracking;
import dev.pagewise.core.Limit;
import dev.pagewise.core.PoisonOnFree;
import dev.pagewise.core.Quarantine;
import dev.pagewise.core.ResetPolicy;
import dev.pagewise.core.Slab;
import dev.pagewise.core.Statistics;
import dev.pagewise.core.Watermark;
import dev.pagewise.core.WithFallback;
import dev.pagewise.core.HugePageAligned;
import dev.pagewise.core.OwnedSlab;
import dev.pagewise.core.ResettableWrappedArena;
import dev.pagewise.os.MapOptions;
import dev.pagewise.os.linux.MmapBacked;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * What each listener and wrapper adds: a 64-byte bump allocation (listeners attached to the arena itself,
 * so it stays a {@code BumpArena}), and a 64-byte slab allocate + free pair.
 */
@State(Scope.Thread)
public class WrapperBench extends BenchDefaults {

    private final List<AutoCloseable> resources = new ArrayList<>();
    private BumpArena bump;
    private BumpArena bumpStatistics;
    private BumpArena bumpStatisticsConfined;
    private BumpArena bumpLimit;
    private BumpArena bumpWatermark;
    private ResettableWrappedArena<Canary> bumpCanary;
    private Slab slab;
    private Slab slabStatistics;
    private Slab slabWatermark;
    private Slab slabLeakSampled;
    private Slab slabLeakParanoid;
    private Allocator slabPoison;
    private Allocator slabQuarantine;
    private Allocator slabCanary;
    private Allocator slabWithFallbackPrimary;
    private Allocator slabWithFallbackSecondary;
    private OwnedSlab slabOwned;
    private ResettableWrappedArena<HugePageAligned> bumpHugePageAligned;

    private BumpArena bump(AllocationListener listener) {
        MmapBacked range = MmapBacked.map(1L << 40, MapOptions.DEFAULT.withLazyCommit());
        BumpArena arena = BumpArena.builder(range).resetPolicy(ResetPolicy.decommitAll()).listener(listener).build();
        resources.add(range);
        resources.add(arena);
        return arena;
    }

    private Slab slab(AllocationListener listener) {
        MmapBacked range = MmapBacked.map(64 << 20);
        Slab s = Slab.over(range, 256, listener);
        resources.add(range);
        resources.add(s);
        return s;
    }

    /** Levels the benchmark never reaches: what every allocation pays is the check, not a crossing. */
    private static Watermark watermark() {
        return Watermark.builder("bench").level("high", Long.MAX_VALUE / 2).hysteresis(1 << 20)
                .onCrossing(crossing -> { }).build();
    }

    @Setup(Level.Trial)
    public void setup() {
        bump = bump(AllocationListener.NOOP);
        bumpStatistics = bump(Statistics.create());
        bumpStatisticsConfined = bump(Statistics.confined());
        bumpLimit = bump(Limit.of(Budget.root("bench", Long.MAX_VALUE)));
        bumpWatermark = bump(watermark());
        bumpCanary = Canary.over(bump(AllocationListener.NOOP));
        slab = slab(AllocationListener.NOOP);
        slabStatistics = slab(Statistics.create());
        slabWatermark = slab(watermark());
        slabLeakSampled = slab(LeakTracking.create(LeakTracking.Level.SAMPLED, 128));
        slabLeakParanoid = slab(LeakTracking.paranoid());
        Slab plain = slab(AllocationListener.NOOP);
        slabPoison = PoisonOnFree.over(plain);
        slabQuarantine = Quarantine.over(slab(AllocationListener.NOOP), 64, 1 << 20);
        slabCanary = Canary.over(slab(AllocationListener.NOOP));
        slabWithFallbackPrimary = WithFallback.of(slab(AllocationListener.NOOP), slab(AllocationListener.NOOP));
        MmapBacked oneSlot = MmapBacked.map(4096);
        Slab full = Slab.over(oneSlot, 4096);
        full.allocate(4096, 8); // the primary is full: every request goes on to the secondary
        resources.add(oneSlot);
        resources.add(full);
        slabWithFallbackSecondary = WithFallback.of(full, slab(AllocationListener.NOOP));
        MmapBacked ownedRange = MmapBacked.map(64 << 20);
        slabOwned = OwnedSlab.over(ownedRange, 256);
        resources.add(ownedRange);
        resources.add(slabOwned);
        bumpHugePageAligned = HugePageAligned.over(bump(AllocationListener.NOOP));
    }

    @Setup(Level.Iteration)
    public void reset() {
        bumpCanary.reset();
        bumpHugePageAligned.reset();
        bump.reset();
        bumpLimit.reset();
        bumpWatermark.reset();
        bumpStatistics.reset();
        bumpStatisticsConfined.reset();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        resources.clear();
    }

    @Benchmark
    public MemorySegment bumpRaw() {
        return bump.allocate(64, 8);
    }

    @Benchmark
    public MemorySegment bumpStatistics() {
        return bumpStatistics.allocate(64, 8);
    }

    @Benchmark
    public MemorySegment bumpStatisticsConfined() {
        return bumpStatisticsConfined.allocate(64, 8);
    }

    @Benchmark
    public MemorySegment bumpLimit() {
        return bumpLimit.allocate(64, 8);
    }

    @Benchmark
    public MemorySegment bumpWatermark() {
        return bumpWatermark.allocate(64, 8);
    }

    @Benchmark
    public MemorySegment bumpHugePageAligned() {
        return bumpHugePageAligned.allocate(64, 8);
    }

    @Benchmark
    public MemorySegment bumpCanary() {
        return bumpCanary.allocate(64, 8);
    }

    private static long pair(Allocator allocator) {
        MemorySegment s = allocator.allocate(64, 8);
        allocator.deallocate(s);
        return s.address();
    }

    @Benchmark
    public long slabRaw() {
        return pair(slab);
    }

    @Benchmark
    public long slabStatistics() {
        return pair(slabStatistics);
    }

    @Benchmark
    public long slabWatermark() {
        return pair(slabWatermark);
    }

    @Benchmark
    public long slabLeakTrackingSampled() {
        return pair(slabLeakSampled);
    }

    @Benchmark
    public long slabLeakTrackingParanoid() {
        return pair(slabLeakParanoid);
    }

    @Benchmark
    public long slabPoisonOnFree() {
        return pair(slabPoison);
    }

    @Benchmark
    public long slabQuarantine() {
        return pair(slabQuarantine);
    }

    @Benchmark
    public long slabCanary() {
        return pair(slabCanary);
    }

    /** A {@code WithFallback} whose primary, a slab, serves the request: the cost of asking and routing the free. */
    @Benchmark
    public long slabWithFallbackPrimary() {
        return pair(slabWithFallbackPrimary);
    }

    /** A {@code WithFallback} whose primary is full: a {@code tryAllocate} miss, then the secondary slab. */
    @Benchmark
    public long slabWithFallbackSecondary() {
        return pair(slabWithFallbackSecondary);
    }

    /** An {@code OwnedSlab} freed by its owner: the thread check and the atomic live bit against a plain slab. */
    @Benchmark
    public long slabOwned() {
        return pair(slabOwned);
    }
}
