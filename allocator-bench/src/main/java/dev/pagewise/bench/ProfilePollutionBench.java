package dev.pagewise.bench;

import dev.pagewise.core.Budget;
import dev.pagewise.core.BumpArena;
import dev.pagewise.core.Limit;
import dev.pagewise.core.OsBacked;
import dev.pagewise.core.SizeClassed;
import dev.pagewise.core.Slab;
import dev.pagewise.core.Statistics;
import dev.pagewise.os.linux.MmapBacked;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Slab} allocate + free and a {@link BumpArena} allocate, each without a listener, as every other
 * benchmark measures them ({@code others=none}: the only allocator this JVM has run), and after other allocators
 * ran in the same JVM first, as in an application: a size-classed allocator, a bump arena and a slab of another
 * slot size, without listeners ({@code unheard}) or heard by a {@link Limit} and {@link Statistics} ({@code heard}).
 * The JIT then compiles the shared code with what all of them did, which may no longer fit into the caller.
 */
@State(Scope.Thread)
public class ProfilePollutionBench extends BenchDefaults {

    /** Operations each other allocator runs before the measurement: enough for the JIT to compile their paths. */
    static final int OTHERS_OPERATIONS = 50_000;

    @Param({"none", "unheard", "heard"})
    public String others;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private Slab slab;
    private BumpArena bump;

    @Setup
    public void setup() throws Exception {
        MmapBacked slabRange = MmapBacked.map(64 << 20);
        MmapBacked bumpRange = MmapBacked.map(64 << 20);
        slab = Slab.over(slabRange, 256);
        bump = BumpArena.over(bumpRange);
        resources.addAll(List.of(bump, bumpRange, slab, slabRange));
        if (!others.equals("none")) {
            runOthers(others.equals("heard"));
        }
    }

    private static void runOthers(boolean heard) throws Exception {
        try (MmapBacked range = MmapBacked.map(64 << 20);
             OsBacked bumpPart = range.slice(0, 16 << 20);
             OsBacked classesPart = range.slice(16 << 20, 16 << 20);
             OsBacked slabPart = range.slice(32 << 20, 16 << 20);
             BumpArena otherBump = heard ? BumpArena.builder(bumpPart).listener(Statistics.confined()).build()
                     : BumpArena.over(bumpPart);
             SizeClassed classes = heard ? SizeClassed.builder(classesPart)
                     .listener(Limit.of(Budget.root("others", Long.MAX_VALUE))).build() : SizeClassed.over(classesPart);
             Slab slab = heard ? Slab.over(slabPart, 128, Statistics.create()) : Slab.over(slabPart, 128)) {
            for (int i = 0; i < OTHERS_OPERATIONS; i++) {
                otherBump.allocate(48, 8);
                if (i % 1024 == 0) {
                    otherBump.reset();
                }
                classes.deallocate(classes.allocate(64 + i % 3 * 512, 8));
                slab.deallocate(slab.allocate(100, 8));
            }
        }
    }

    @TearDown
    public void tearDown() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    @Benchmark
    public long slabAllocateFree() {
        MemorySegment s = slab.allocate(64, 8);
        slab.deallocate(s);
        return s.address();
    }

    @Benchmark
    public long bumpAllocate() {
        long address = bump.allocate(64, 8).address();
        if (bump.allocated() > (32 << 20)) {
            bump.reset();
        }
        return address;
    }
}
