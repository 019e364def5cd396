package dev.pagewise.bench;

import dev.pagewise.core.ResetPolicy;
import dev.pagewise.core.SharedBumpArena;
import dev.pagewise.os.MapOptions;
import dev.pagewise.os.linux.MmapBacked;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/** Throughput of 64-byte allocations from one shared arena by one and by two threads. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SharedBumpBench extends BenchDefaults {

    /** 0: every allocation CASes the shared cursor; 65536: per-thread chunks. */
    @Param({"0", "65536"})
    public long chunkSize;

    private MmapBacked range;
    private SharedBumpArena arena;

    @Setup(Level.Trial)
    public void setup() {
        range = MmapBacked.map(1L << 40, MapOptions.DEFAULT.withLazyCommit());
        arena = SharedBumpArena.builder(range).chunkSize(chunkSize).resetPolicy(ResetPolicy.decommitAll()).build();
    }

    @Setup(Level.Iteration)
    public void reset() {
        arena.reset();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
        range.close();
    }

    @Benchmark
    @Threads(1)
    public MemorySegment oneThread() {
        return arena.allocate(64, 8);
    }

    @Benchmark
    @Threads(2)
    public MemorySegment twoThreads() {
        return arena.allocate(64, 8);
    }
}
