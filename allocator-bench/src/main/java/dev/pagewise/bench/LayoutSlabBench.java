package dev.pagewise.bench;

import dev.pagewise.core.ExtendableSlab;
import dev.pagewise.core.GenerationalSlab;
import dev.pagewise.core.PurgePolicy;
import dev.pagewise.core.Slab;
import dev.pagewise.os.MapOptions;
import dev.pagewise.os.linux.MmapBacked;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.MemorySegment;
import java.time.Duration;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * ExtendableSlab's allocate + free pair next to Slab's, over a lazily committed 1 GiB reservation; a whole chunk
 * filled and emptied under each purge policy (what "immediately" costs in system calls); and GenerationalSlab's
 * allocate, resolve and free of a handle.
 */
@State(Scope.Thread)
public class LayoutSlabBench extends BenchDefaults {

    private static final long CHUNK = 64 << 10;

    @Param({"64", "512"})
    public int slotSize;

    /** {@code after} is left out of the suite's run: a pair never empties a chunk, and a chunk's fill and empty
     * differs from {@code never} only by the clock reads ({@code -p policy=after} measures it). */
    @Param({"never", "immediately"})
    public String policy;

    private MmapBacked slabRange;
    private Slab slab;
    private MmapBacked extendableRange;
    private ExtendableSlab extendable;
    private MemorySegment[] chunkSlots;
    private MmapBacked generationalRange;
    private GenerationalSlab generational;

    @Setup
    public void setup() {
        slabRange = MmapBacked.map(64 << 20);
        slab = Slab.over(slabRange, slotSize);
        extendableRange = MmapBacked.map(1L << 30, MapOptions.DEFAULT.withLazyCommit());
        extendable = ExtendableSlab.builder(extendableRange, slotSize).chunkSize(CHUNK).purge(switch (policy) {
            case "immediately" -> PurgePolicy.immediately();
            case "after" -> PurgePolicy.after(Duration.ofMillis(10));
            default -> PurgePolicy.never();
        }).build();
        extendable.allocate(slotSize, 8); // keeps the first chunk in use, so the pair below never empties it
        chunkSlots = new MemorySegment[(int) (CHUNK / slotSize)];
        generationalRange = MmapBacked.map(64 << 20);
        generational = GenerationalSlab.over(generationalRange, slotSize);
    }

    @TearDown
    public void tearDown() {
        try (MmapBacked a = slabRange; MmapBacked b = extendableRange; MmapBacked c = generationalRange;
             Slab s = slab; ExtendableSlab e = extendable; GenerationalSlab g = generational) {
            chunkSlots = null;
        }
    }

    /** The baseline: a fixed slab's pair. */
    @Benchmark
    public long slabAllocateFree() {
        MemorySegment s = slab.allocate(slotSize, 8);
        slab.deallocate(s);
        return s.address();
    }

    @Benchmark
    public long extendableAllocateFree() {
        MemorySegment s = extendable.allocate(slotSize, 8);
        extendable.deallocate(s);
        return s.address();
    }

    /** A chunk's worth of slots allocated and freed: the second chunk empties once per call. */
    @Benchmark
    public long extendableChunkFillAndEmpty() {
        MemorySegment[] slots = chunkSlots;
        for (int i = 0; i < slots.length; i++) {
            slots[i] = extendable.allocate(slotSize, 8);
        }
        for (MemorySegment s : slots) {
            extendable.deallocate(s);
        }
        return extendable.purgedBytes();
    }

    @Benchmark
    public long generationalAllocateResolveFree() {
        long h = generational.allocateHandle();
        generational.resolve(h).set(JAVA_LONG, 0, h);
        generational.free(h);
        return h;
    }
}
