package dev.pagewise.bench;

import dev.pagewise.core.Allocator;
import dev.pagewise.core.BumpArena;
import dev.pagewise.core.CacheJitter;
import dev.pagewise.core.HardenedSlab;
import dev.pagewise.core.ResetPolicy;
import dev.pagewise.core.Slab;
import dev.pagewise.core.ZeroizeOnFree;
import dev.pagewise.os.MapOptions;
import dev.pagewise.os.linux.MmapBacked;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.MemorySegment;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * What the hardening costs: a 64-byte allocate + free pair on a {@link Slab}, a {@link HardenedSlab} with split
 * metadata and one with SipHash-MAC'd links, and a {@link ZeroizeOnFree} slab; a 64-byte {@link CacheJitter}
 * allocation (256-byte window) beside a bare one on a bump arena.
 */
@State(Scope.Thread)
public class HardeningBench extends BenchDefaults {

    private final List<AutoCloseable> resources = new ArrayList<>();
    private Slab slab;
    private HardenedSlab hardened;
    private HardenedSlab macLinked;
    private Allocator zeroize;
    private BumpArena bump;
    private CacheJitter bumpJitter;

    private MmapBacked range(long size) {
        MmapBacked range = MmapBacked.map(size, MapOptions.DEFAULT.withLazyCommit());
        resources.add(range);
        return range;
    }

    private <T extends AutoCloseable> T kept(T resource) {
        resources.add(resource);
        return resource;
    }

    @Setup(Level.Trial)
    public void setup() {
        slab = kept(Slab.over(range(64 << 20), 64));
        hardened = kept(HardenedSlab.over(range(64 << 20), 64));
        macLinked = kept(HardenedSlab.macLinked(range(64 << 20), 64, new SecureRandom()));
        zeroize = ZeroizeOnFree.over(kept(Slab.over(range(64 << 20), 64)));
        bump = kept(BumpArena.builder(range(1L << 40)).resetPolicy(ResetPolicy.decommitAll()).build());
        BumpArena jittered = kept(BumpArena.builder(range(1L << 40)).resetPolicy(ResetPolicy.decommitAll()).build());
        bumpJitter = CacheJitter.over((Allocator) jittered, 256);
    }

    @Setup(Level.Iteration)
    public void reset() {
        bump.reset();
        bumpJitter.reset();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        resources.clear();
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
    public long hardenedSlabSplitMetadata() {
        return pair(hardened);
    }

    @Benchmark
    public long hardenedSlabSipHash() {
        return pair(macLinked);
    }

    @Benchmark
    public long slabZeroizeOnFree() {
        return pair(zeroize);
    }

    @Benchmark
    public MemorySegment bumpRaw() {
        return bump.allocate(64, 8);
    }

    @Benchmark
    public MemorySegment bumpCacheJitter() {
        return bumpJitter.allocate(64, 8);
    }
}
