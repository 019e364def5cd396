package dev.pagewise.bench;

import dev.pagewise.core.ConcurrentSizeClassed;
import dev.pagewise.os.linux.MmapBacked;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Control;

import java.lang.foreign.MemorySegment;

/**
 * Allocate + free of 64 B .. 4 KiB blocks by {@link ConcurrentSizeClassed}, Netty's
 * {@link PooledByteBufAllocator} ({@code directBuffer} + {@code release}) and Netty 4.2's
 * {@link AdaptiveByteBufAllocator} (direct buffers), each with its defaults: on one thread, on two threads
 * sharing the allocator, and in a group of two threads where one allocates and hands each block through a
 * {@link Handoff} (the same for all three) to the other, which frees it. Run the group benchmarks with the
 * default thread count (one group); more groups each get their own {@link Pipe}.
 *
 * <p>Netty 4.2's pooled allocator gives thread caches only to Netty's own {@code FastThreadLocalThread}s by
 * default ({@code PooledByteBufAllocator.defaultUseCacheForAllThreads()} is {@code false} in netty-buffer 4.2.7);
 * {@link BenchDefaults} sets {@code -Dio.netty.allocator.useCacheForAllThreads=true}, so JMH's threads get the
 * caches a server's event-loop threads would have.
 */
@State(Scope.Benchmark)
public class CrossThreadBench extends BenchDefaults {

    /** The blocks a group may have in flight. */
    static final int RING = 128;

    @Param({"64", "4096"})
    public int size;

    private MmapBacked range;
    private ConcurrentSizeClassed pagewise;
    private ByteBufAllocator pooled;
    private ByteBufAllocator adaptive;

    @Setup(Level.Trial)
    public void setup() {
        range = MmapBacked.map(128 << 20);
        // Four heaps of 1.4 MiB a class: room for the blocks a group keeps in flight, at every size.
        pagewise = ConcurrentSizeClassed.builder(range).heaps(4).build();
        pooled = PooledByteBufAllocator.DEFAULT;
        adaptive = new AdaptiveByteBufAllocator();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pagewise.close();
        range.close();
    }

    /** The handoffs of one group of two threads. */
    @State(Scope.Group)
    public static class Pipe {
        final Handoff<MemorySegment> segments = new Handoff<>(RING);
        final Handoff<ByteBuf> pooledBuffers = new Handoff<>(RING);
        final Handoff<ByteBuf> adaptiveBuffers = new Handoff<>(RING);
        private CrossThreadBench bench;

        @Setup(Level.Trial)
        public void setup(CrossThreadBench bench) {
            this.bench = bench;
        }

        /** Frees what the last iteration left in flight, so that no buffer leaks between trials. */
        @TearDown(Level.Iteration)
        public void drain() {
            for (MemorySegment s; (s = segments.poll()) != null; ) {
                bench.pagewise.deallocate(s);
            }
            for (ByteBuf b; (b = pooledBuffers.poll()) != null; ) {
                b.release();
            }
            for (ByteBuf b; (b = adaptiveBuffers.poll()) != null; ) {
                b.release();
            }
        }
    }

    @Benchmark
    @Threads(1)
    public long pagewiseOneThread() {
        return allocateFree();
    }

    @Benchmark
    @Threads(2)
    public long pagewiseTwoThreads() {
        return allocateFree();
    }

    private long allocateFree() {
        MemorySegment s = pagewise.allocate(size, 8);
        pagewise.deallocate(s);
        return s.address();
    }

    @Benchmark
    @Threads(1)
    public boolean nettyPooledOneThread() {
        return pooled.directBuffer(size).release();
    }

    @Benchmark
    @Threads(2)
    public boolean nettyPooledTwoThreads() {
        return pooled.directBuffer(size).release();
    }

    @Benchmark
    @Threads(1)
    public boolean nettyAdaptiveOneThread() {
        return adaptive.directBuffer(size).release();
    }

    @Benchmark
    @Threads(2)
    public boolean nettyAdaptiveTwoThreads() {
        return adaptive.directBuffer(size).release();
    }

    // Cross-thread: the first method of each group allocates, the second frees. When the ring stays full
    // (or empty) the thread waits, unless the iteration is over: then it gives up, so that neither hangs.

    @Benchmark
    @Group("pagewiseCrossThread")
    public void pagewiseCrossThreadAllocate(Pipe pipe, Control control) {
        MemorySegment s = pagewise.allocate(size, 8);
        while (!pipe.segments.offer(s)) {
            if (control.stopMeasurement) {
                pagewise.deallocate(s);
                return;
            }
            Thread.onSpinWait();
        }
    }

    @Benchmark
    @Group("pagewiseCrossThread")
    public void pagewiseCrossThreadFree(Pipe pipe, Control control) {
        MemorySegment s;
        while ((s = pipe.segments.poll()) == null) {
            if (control.stopMeasurement) {
                return;
            }
            Thread.onSpinWait();
        }
        pagewise.deallocate(s);
    }

    @Benchmark
    @Group("nettyPooledCrossThread")
    public void nettyPooledCrossThreadAllocate(Pipe pipe, Control control) {
        offer(pipe.pooledBuffers, pooled.directBuffer(size), control);
    }

    @Benchmark
    @Group("nettyPooledCrossThread")
    public boolean nettyPooledCrossThreadFree(Pipe pipe, Control control) {
        return release(pipe.pooledBuffers, control);
    }

    @Benchmark
    @Group("nettyAdaptiveCrossThread")
    public void nettyAdaptiveCrossThreadAllocate(Pipe pipe, Control control) {
        offer(pipe.adaptiveBuffers, adaptive.directBuffer(size), control);
    }

    @Benchmark
    @Group("nettyAdaptiveCrossThread")
    public boolean nettyAdaptiveCrossThreadFree(Pipe pipe, Control control) {
        return release(pipe.adaptiveBuffers, control);
    }

    private static void offer(Handoff<ByteBuf> ring, ByteBuf buf, Control control) {
        while (!ring.offer(buf)) {
            if (control.stopMeasurement) {
                buf.release();
                return;
            }
            Thread.onSpinWait();
        }
    }

    private static boolean release(Handoff<ByteBuf> ring, Control control) {
        ByteBuf buf;
        while ((buf = ring.poll()) == null) {
            if (control.stopMeasurement) {
                return false;
            }
            Thread.onSpinWait();
        }
        return buf.release();
    }
}
