package dev.pagewise.bench;

import dev.pagewise.os.ArenaPool;
import dev.pagewise.os.RequestArena;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The request path of one request: take its memory, write {@code bytes} of it, do {@value #WORK} tokens of
 * other work ({@link Blackhole#consumeCPU}), give the memory back. A lease of an {@link ArenaPool} that
 * resets on close, the same pool with background scrubbing (the reset runs on the scrubber thread, on the
 * other CPU), and a JDK confined arena per request. The difference between the first two is the request-path
 * latency background scrubbing saves.
 */
@State(Scope.Thread)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ArenaPoolBench extends BenchDefaults {

    static final long WORK = 50_000;

    @Param({"65536", "1048576"})
    public long bytes;

    private ArenaPool inline;
    private ArenaPool scrubbed;

    @Setup
    public void setup() {
        inline = ArenaPool.builder(8, 4 << 20).leaseTimeout(Duration.ofSeconds(5)).build();
        scrubbed = ArenaPool.builder(8, 4 << 20).leaseTimeout(Duration.ofSeconds(5)).scrubInBackground().build();
    }

    @TearDown
    public void tearDown() {
        inline.close();
        scrubbed.close();
    }

    private MemorySegment request(SegmentAllocator memory) {
        MemorySegment buffer = memory.allocate(bytes, 64);
        buffer.fill((byte) 1);
        Blackhole.consumeCPU(WORK);
        return buffer;
    }

    @Benchmark
    public void poolInlineReset(Blackhole bh) {
        try (RequestArena arena = inline.lease()) {
            bh.consume(request(arena));
        }
    }

    @Benchmark
    public void poolBackgroundScrub(Blackhole bh) {
        try (RequestArena arena = scrubbed.lease()) {
            bh.consume(request(arena));
        }
    }

    @Benchmark
    public void jdkConfinedArena(Blackhole bh) {
        try (Arena arena = Arena.ofConfined()) {
            bh.consume(request(arena));
        }
    }

    @Benchmark
    public void workOnly(Blackhole bh) {
        Blackhole.consumeCPU(WORK);
    }
}
