package dev.pagewise.bench;

import dev.pagewise.core.SizeClassed;
import dev.pagewise.os.linux.MmapBacked;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.MemorySegment;

/** An allocate + free pair of 64 B .. 4 KiB against Netty's pooled allocator. */
@State(Scope.Thread)
public class SizeClassedBench extends BenchDefaults {

    private static final AdaptiveByteBufAllocator ADAPTIVE = new AdaptiveByteBufAllocator();

    @Param({"64", "512", "4096"})
    public int size;

    private MmapBacked range;
    private SizeClassed sizeClassed;
    private MmapBacked rawRange;
    private SizeClassed withoutZeroing;

    @Setup
    public void setup() {
        range = MmapBacked.map(64 << 20);
        sizeClassed = SizeClassed.builder(range).maxClassSize(32 << 10).build();
        rawRange = MmapBacked.map(64 << 20);
        withoutZeroing = SizeClassed.builder(rawRange).maxClassSize(32 << 10).withoutZeroing().build();
    }

    @TearDown
    public void tearDown() {
        sizeClassed.close();
        range.close();
        withoutZeroing.close();
        rawRange.close();
    }

    @Benchmark
    public long sizeClassedAllocateFree() {
        MemorySegment s = sizeClassed.allocate(size, 8);
        sizeClassed.deallocate(s);
        return s.address();
    }

    /** Like Netty, hands out freed blocks unzeroed. */
    @Benchmark
    public long sizeClassedWithoutZeroingAllocateFree() {
        MemorySegment s = withoutZeroing.allocate(size, 8);
        withoutZeroing.deallocate(s);
        return s.address();
    }

    /** Anchor: Netty 4.2's default allocator. */
    @Benchmark
    public boolean nettyAdaptiveAllocateRelease() {
        ByteBuf buf = ADAPTIVE.directBuffer(size);
        return buf.release();
    }

    @Benchmark
    public boolean nettyPooledAllocateRelease() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(size);
        return buf.release();
    }
}
