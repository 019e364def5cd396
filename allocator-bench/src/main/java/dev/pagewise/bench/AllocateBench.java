package dev.pagewise.bench;

import dev.pagewise.core.BumpArena;
import dev.pagewise.core.ResetPolicy;
import dev.pagewise.core.SizeClassed;
import dev.pagewise.core.Slab;
import dev.pagewise.core.StackArena;
import dev.pagewise.os.MapOptions;
import dev.pagewise.os.linux.MmapBacked;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.lwjgl.system.MemoryStack;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * One 64-byte allocation, 8-aligned, in each allocator and in the JDK, Netty and LWJGL anchors.
 * Arenas are reset between iterations, outside the measurement.
 */
@State(Scope.Thread)
public class AllocateBench extends BenchDefaults {

    static final long SIZE = 64;
    static final long RESERVE = 1L << 40;

    private MmapBacked checkedRange;
    private MmapBacked uncheckedRange;
    private MmapBacked stackRange;
    private MmapBacked slabRange;
    private BumpArena checked;
    private BumpArena unchecked;
    private StackArena stack;
    private StackArena uncheckedStack;
    private MmapBacked uncheckedStackRange;
    private Slab slab;
    private Arena longLived;
    private long longLivedCount;

    @Setup(Level.Trial)
    public void setup() {
        MapOptions lazy = MapOptions.DEFAULT.withLazyCommit();
        checkedRange = MmapBacked.map(RESERVE, lazy);
        uncheckedRange = MmapBacked.map(RESERVE, lazy);
        stackRange = MmapBacked.map(1 << 20, lazy);
        uncheckedStackRange = MmapBacked.map(1 << 20, lazy);
        slabRange = MmapBacked.map(1 << 20);
        checked = BumpArena.builder(checkedRange).resetPolicy(ResetPolicy.decommitAll()).build();
        unchecked = BumpArena.builder(uncheckedRange).resetPolicy(ResetPolicy.decommitAll()).unchecked().build();
        stack = StackArena.over(stackRange);
        uncheckedStack = StackArena.uncheckedOver(uncheckedStackRange);
        slab = Slab.over(slabRange, SIZE);
        longLived = Arena.ofConfined();
    }

    @Setup(Level.Iteration)
    public void resetArenas() {
        checked.reset();
        unchecked.reset();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        checked.close();
        unchecked.close();
        stack.close();
        uncheckedStack.close();
        slab.close();
        longLived.close();
        checkedRange.close();
        uncheckedRange.close();
        stackRange.close();
        uncheckedStackRange.close();
        slabRange.close();
    }

    @Benchmark
    public MemorySegment bumpArenaChecked() {
        return checked.allocate(SIZE, 8);
    }

    @Benchmark
    public MemorySegment bumpArenaUnchecked() {
        return unchecked.allocate(SIZE, 8);
    }

    /** Anchor: an allocation in a long-lived confined arena (which zeroes it); renewed every 1M allocations. */
    @Benchmark
    public MemorySegment jdkConfinedArenaLongLived() {
        if (++longLivedCount == 1_000_000) {
            longLived.close();
            longLived = Arena.ofConfined();
            longLivedCount = 0;
        }
        return longLived.allocate(SIZE, 8);
    }

    /** Anchor: an arena per allocation. */
    @Benchmark
    public long jdkConfinedArenaAllocateClose() {
        try (Arena arena = Arena.ofConfined()) {
            return arena.allocate(SIZE, 8).address();
        }
    }

    /** Anchor: a direct buffer, freed by the GC. */
    @Benchmark
    public ByteBuffer jdkAllocateDirect() {
        return ByteBuffer.allocateDirect((int) SIZE);
    }

    /** Anchor: Netty's pooled direct buffer, allocated and released. */
    @Benchmark
    public boolean nettyPooledAllocateRelease() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer((int) SIZE);
        return buf.release();
    }

    @Benchmark
    public long stackArenaFrameChecked() {
        try (StackArena.Frame frame = stack.push()) {
            return frame.allocate(SIZE, 8).address();
        }
    }

    @Benchmark
    public long stackArenaFrameUnchecked() {
        try (StackArena.Frame frame = uncheckedStack.push()) {
            return frame.allocate(SIZE, 8).address();
        }
    }

    /** Anchor: LWJGL's thread-local stack, push / calloc (zeroed, as ours) / pop. */
    @Benchmark
    public long lwjglMemoryStackCalloc() {
        try (MemoryStack s = MemoryStack.stackPush()) {
            return s.ncalloc(8, 1, (int) SIZE);
        }
    }

    /** Anchor: LWJGL's thread-local stack, push / malloc (not zeroed) / pop. */
    @Benchmark
    public long lwjglMemoryStackMalloc() {
        try (MemoryStack s = MemoryStack.stackPush()) {
            return s.nmalloc(8, (int) SIZE);
        }
    }

    @Benchmark
    public long slabAllocateFree() {
        MemorySegment s = slab.allocate(SIZE, 8);
        slab.deallocate(s);
        return s.address();
    }
}
