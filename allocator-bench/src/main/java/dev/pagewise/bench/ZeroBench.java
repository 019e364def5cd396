package dev.pagewise.bench;

import dev.pagewise.core.NativeBacked;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * How Pagewise writes zeros ({@code FixedRange.zero}, the path of every reset, zero-on-free and zeroing pop)
 * against a bare {@link MemorySegment#fill} of the same bytes, which calls {@code Unsafe.setMemory} above 32
 * bytes. Both over committed, cache-warm memory.
 */
@State(Scope.Thread)
public class ZeroBench extends BenchDefaults {

    @Param({"64", "512", "4096", "65536", "1048576", "16777216"})
    public long size;

    private Arena arena;
    private MemorySegment segment;
    private NativeBacked range;

    @Setup
    public void setup() {
        arena = Arena.ofShared();
        segment = arena.allocate(size, 4096);
        range = NativeBacked.allocate(size);
    }

    @TearDown
    public void tearDown() {
        arena.close();
        range.close();
    }

    @Benchmark
    public MemorySegment segmentFill() {
        return segment.fill((byte) 0);
    }

    @Benchmark
    public void rangeZero() {
        range.zero(0, size);
    }
}
