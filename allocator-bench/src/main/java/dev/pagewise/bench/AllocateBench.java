package dev.pagewise.bench;

import dev.pagewise.core.BumpArena;
import dev.pagewise.core.ResetPolicy;
import dev.pagewise.core.SizeClassed;
import dev.pagewise.core.Slab;
import dev.pagewise.core.StackArena;
import dev.pagewise.os.MapOptions;
import dev.pagewise.os.linux.MmapBacked;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.lwjgl.system.MemoryStack;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.nio.ByteBuffer;

/**
 * One allocation of {@code size} bytes, 8-aligned, in each allocator and in the JDK, Netty and LWJGL anchors.
 * The bump arenas and the JDK's slicing allocator work in committed memory and start over every
 * {@link #CAPACITY} bytes, all in the same way, so the benchmark measures allocation, not commits
 * ({@code BackingBench} measures those).
 */
@State(Scope.Thread)
public class AllocateBench extends BenchDefaults {

    /** What the bump allocators cover before they start over: committed, but written only by nobody. */
    static final long CAPACITY = 1L << 30;
    /** How much a long-lived JDK arena hands out (and zeroes) before the benchmark replaces it. */
    static final long LONG_LIVED_BYTES = 64L << 20;

    private static final AdaptiveByteBufAllocator ADAPTIVE = new AdaptiveByteBufAllocator();

    @Param({"64", "4096"})
    public long size;

    private MmapBacked checkedRange;
    private MmapBacked uncheckedRange;
    private MmapBacked stackRange;
    private MmapBacked slabRange;
    private MmapBacked perCallRange;
    private BumpArena checked;
    private BumpArena unchecked;
    private StackArena stack;
    private StackArena uncheckedStack;
    private MmapBacked uncheckedStackRange;
    private Slab slab;
    private Arena longLived;
    private long longLivedCount;
    private MmapBacked slicingRange;
    private SegmentAllocator slicing;
    private long bumpCount;
    private long uncheckedCount;
    private long slicingCount;
    private long perCapacity;
    private long perLongLived;
    private Arena floorArena;
    private MemorySegment floor;

    @Setup(Level.Trial)
    public void setup() {
        MapOptions lazy = MapOptions.DEFAULT.withLazyCommit();
        checkedRange = MmapBacked.map(CAPACITY);
        uncheckedRange = MmapBacked.map(CAPACITY);
        slicingRange = MmapBacked.map(CAPACITY);
        stackRange = MmapBacked.map(1 << 20, lazy);
        uncheckedStackRange = MmapBacked.map(1 << 20, lazy);
        slabRange = MmapBacked.map(1 << 20);
        perCallRange = MmapBacked.map(1 << 20);
        checked = BumpArena.builder(checkedRange).resetPolicy(ResetPolicy.decommitAll()).build();
        unchecked = BumpArena.builder(uncheckedRange).resetPolicy(ResetPolicy.decommitAll()).unchecked().build();
        slicing = SegmentAllocator.slicingAllocator(slicingRange.segment());
        stack = StackArena.over(stackRange);
        uncheckedStack = StackArena.uncheckedOver(uncheckedStackRange);
        slab = Slab.over(slabRange, size);
        longLived = Arena.ofConfined();
        perCapacity = CAPACITY / size;
        perLongLived = LONG_LIVED_BYTES / size;
        floorArena = Arena.ofConfined();
        floor = floorArena.allocate(size, 64);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        checked.close();
        unchecked.close();
        stack.close();
        uncheckedStack.close();
        slab.close();
        longLived.close();
        floorArena.close();
        checkedRange.close();
        slicingRange.close();
        uncheckedRange.close();
        stackRange.close();
        uncheckedStackRange.close();
        slabRange.close();
        perCallRange.close();
    }

    @Benchmark
    public MemorySegment bumpArenaChecked() {
        if (++bumpCount == perCapacity) {
            checked.reset(); // untouched pages: the reset is an madvise over nothing resident, once per 1 GiB
            bumpCount = 1;
        }
        return checked.allocate(size, 8);
    }

    @Benchmark
    public MemorySegment bumpArenaUnchecked() {
        if (++uncheckedCount == perCapacity) {
            unchecked.reset();
            uncheckedCount = 1;
        }
        return unchecked.allocate(size, 8);
    }

    /** Anchor: the JDK's own bump allocator over committed memory, with no stale-segment detection or zeroing. */
    @Benchmark
    public MemorySegment jdkSlicingAllocator() {
        if (++slicingCount == perCapacity) {
            slicing = SegmentAllocator.slicingAllocator(slicingRange.segment());
            slicingCount = 1;
        }
        return slicing.allocate(size, 8);
    }

    /** Anchor: an allocation in a long-lived confined arena (which zeroes it), renewed every 64 MiB. */
    @Benchmark
    public MemorySegment jdkConfinedArenaLongLived() {
        if (++longLivedCount == perLongLived) {
            longLived.close();
            longLived = Arena.ofConfined();
            longLivedCount = 0;
        }
        return longLived.allocate(size, 8);
    }

    /** Floor: a bare fill of {@code size} bytes, the least any allocator that zeroes them can cost. */
    @Benchmark
    public MemorySegment memsetFloor() {
        return floor.fill((byte) 0);
    }

    /**
     * A {@code BumpArena} per allocation, as {@link #jdkConfinedArenaAllocateClose()} makes a JDK arena: built
     * over committed memory, one allocation, closed (its reset zeroes the block, where the JDK arena zeroes it
     * when it allocates). What building and closing an arena costs.
     */
    @Benchmark
    public long bumpArenaBuildAllocateClose() {
        try (BumpArena arena = BumpArena.over(perCallRange)) {
            return arena.allocate(size, 8).address();
        }
    }

    /** Anchor: an arena per allocation. */
    @Benchmark
    public long jdkConfinedArenaAllocateClose() {
        try (Arena arena = Arena.ofConfined()) {
            return arena.allocate(size, 8).address();
        }
    }

    /** Anchor: a direct buffer, freed by the GC. */
    @Benchmark
    public ByteBuffer jdkAllocateDirect() {
        return ByteBuffer.allocateDirect((int) size);
    }

    /** Anchor: Netty's pooled direct buffer, allocated and released. */
    @Benchmark
    public boolean nettyPooledAllocateRelease() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer((int) size);
        return buf.release();
    }

    /** Anchor: Netty 4.2's default allocator, a direct buffer allocated and released. */
    @Benchmark
    public boolean nettyAdaptiveAllocateRelease() {
        ByteBuf buf = ADAPTIVE.directBuffer((int) size);
        return buf.release();
    }

    @Benchmark
    public long stackArenaFrameChecked() {
        try (StackArena.Frame frame = stack.push()) {
            return frame.allocate(size, 8).address();
        }
    }

    @Benchmark
    public long stackArenaFrameUnchecked() {
        try (StackArena.Frame frame = uncheckedStack.push()) {
            return frame.allocate(size, 8).address();
        }
    }

    /** Anchor: LWJGL's thread-local stack, push / calloc (zeroed, as ours) / pop. */
    @Benchmark
    public long lwjglMemoryStackCalloc() {
        try (MemoryStack s = MemoryStack.stackPush()) {
            return s.ncalloc(8, 1, (int) size);
        }
    }

    /** Anchor: LWJGL's thread-local stack, push / malloc (not zeroed) / pop. */
    @Benchmark
    public long lwjglMemoryStackMalloc() {
        try (MemoryStack s = MemoryStack.stackPush()) {
            return s.nmalloc(8, (int) size);
        }
    }

    @Benchmark
    public long slabAllocateFree() {
        MemorySegment s = slab.allocate(size, 8);
        slab.deallocate(s);
        return s.address();
    }
}
