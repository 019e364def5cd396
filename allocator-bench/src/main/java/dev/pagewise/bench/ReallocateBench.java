package dev.pagewise.bench;

import dev.pagewise.core.BumpArena;
import dev.pagewise.core.SizeClassed;
import dev.pagewise.os.linux.MmapBacked;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.MemorySegment;

/**
 * Growing a block: a bump arena's last block grown in place by {@code reallocate} against allocating a new
 * block and copying; a size-classed block grown within its class against one that moves to the next class.
 */
@State(Scope.Thread)
public class ReallocateBench extends BenchDefaults {

    /** The size the block grows to. */
    @Param({"64", "1024"})
    public int size;

    private MmapBacked bumpRange;
    private BumpArena arena;
    private MmapBacked classRange;
    private SizeClassed sizeClassed;

    @Setup
    public void setup() {
        bumpRange = MmapBacked.map(64 << 20);
        arena = BumpArena.over(bumpRange);
        classRange = MmapBacked.map(64 << 20);
        sizeClassed = SizeClassed.builder(classRange).maxClassSize(32 << 10).build();
    }

    @TearDown
    public void tearDown() {
        arena.close();
        bumpRange.close();
        sizeClassed.close();
        classRange.close();
    }

    /** Both bump variants reset the arena when it runs low: rarely, at the same cost to each. */
    private void room() {
        if (arena.remaining() < 4L * size + 64) {
            arena.reset();
        }
    }

    @Benchmark
    public long bumpGrowInPlace() {
        room();
        MemorySegment s = arena.allocate(size / 2, 8);
        return arena.reallocate(s, size).address();
    }

    @Benchmark
    public long bumpAllocateAndCopy() {
        room();
        MemorySegment s = arena.allocate(size / 2, 8);
        MemorySegment grown = arena.allocate(size, 8);
        MemorySegment.copy(s, 0, grown, 0, s.byteSize());
        return grown.address();
    }

    /** Grows a block within its class ({@code size - 8} and {@code size} share one), then frees it. */
    @Benchmark
    public long sizeClassedGrowInClass() {
        MemorySegment s = sizeClassed.reallocate(sizeClassed.allocate(size - 8, 8), size);
        sizeClassed.deallocate(s);
        return s.address();
    }

    /** Grows a block of half the size, which moves it to another class, then frees it. */
    @Benchmark
    public long sizeClassedGrowByMove() {
        MemorySegment s = sizeClassed.reallocate(sizeClassed.allocate(size / 2, 8), size);
        sizeClassed.deallocate(s);
        return s.address();
    }
}
