package dev.pagewise.bench;

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
import dev.pagewise.os.MapOptions;
import dev.pagewise.os.linux.MmapBacked;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.MemorySegment;

/** What each wrapper adds: a 64-byte bump allocation, and a 64-byte slab allocate + free pair. */
@State(Scope.Thread)
public class WrapperBench extends BenchDefaults {

    private MmapBacked bumpRange;
    private MmapBacked slabRange;
    private BumpArena bump;
    private Allocator bumpStatistics;
    private Allocator bumpStatisticsConfined;
    private Allocator bumpLimit;
    private Allocator bumpCanary;
    private Slab slab;
    private Allocator slabStatistics;
    private Allocator slabLeakSampled;
    private Allocator slabLeakParanoid;
    private Allocator slabPoison;
    private Allocator slabQuarantine;
    private Allocator slabCanary;

    @Setup(Level.Trial)
    public void setup() {
        bumpRange = MmapBacked.map(1L << 40, MapOptions.DEFAULT.withLazyCommit());
        bump = BumpArena.builder(bumpRange).resetPolicy(ResetPolicy.decommitAll()).build();
        bumpStatistics = new Statistics(bump);
        bumpStatisticsConfined = Statistics.confined(bump);
        bumpLimit = new Limit(bump, Budget.root("bench", Long.MAX_VALUE));
        bumpCanary = new Canary(bump);
        slabRange = MmapBacked.map(64 << 20);
        slab = Slab.over(slabRange, 256);
        slabStatistics = new Statistics(slab);
        slabLeakSampled = LeakTracking.wrap(slab, LeakTracking.Level.SAMPLED, 128);
        slabLeakParanoid = LeakTracking.paranoid(slab);
        slabPoison = new PoisonOnFree(slab);
        slabQuarantine = Quarantine.over(slab, 64, 1 << 20);
        slabCanary = new Canary(slab);
    }

    @Setup(Level.Iteration)
    public void reset() {
        ((Canary) bumpCanary).reset();
        ((Limit) bumpLimit).reset();
        ((Statistics) bumpStatistics).reset();
        ((Statistics) bumpStatisticsConfined).reset();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bump.close();
        slab.close();
        bumpRange.close();
        slabRange.close();
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
}
