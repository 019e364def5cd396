package dev.pagewise.bench;

import dev.pagewise.core.BumpArena;
import dev.pagewise.core.PageScanner;
import dev.pagewise.core.ResetPolicy;
import dev.pagewise.os.linux.MmapBacked;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The request cycle: allocate 64 buffers totalling {@code bytes}, write them (dense: every byte; sparse:
 * one byte in every fourth page), reset. Each policy against a JDK confined arena per request.
 */
@State(Scope.Thread)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ResetBench extends BenchDefaults {

    static final int BUFFERS = 64;

    @Param({"65536", "1048576", "16777216"})
    public long bytes;

    @Param({"dense", "sparse"})
    public String pattern;

    @Param({"keepResident", "trackWrites", "zeroAll", "decommitAll"})
    public String policy;

    private MmapBacked range;
    private BumpArena arena;

    @Setup
    public void setup() {
        ResetPolicy p = switch (policy) {
            case "keepResident" -> ResetPolicy.keepResident(bytes);
            case "trackWrites" -> ResetPolicy.trackWrites(bytes);
            case "zeroAll" -> ResetPolicy.zeroAll();
            case "decommitAll" -> ResetPolicy.decommitAll();
            default -> throw new IllegalArgumentException(policy);
        };
        range = MmapBacked.map(2 * bytes);
        arena = BumpArena.builder(range).resetPolicy(p).build();
    }

    @TearDown
    public void tearDown() {
        arena.close();
        range.close();
    }

    static void write(MemorySegment buffer, boolean dense) {
        if (dense) {
            buffer.fill((byte) 1);
        } else {
            for (long i = 0; i < buffer.byteSize(); i += 4 * 4096) {
                buffer.set(JAVA_BYTE, i, (byte) 1);
            }
        }
    }

    @Benchmark
    public long cycle() {
        boolean dense = pattern.equals("dense");
        long each = bytes / BUFFERS;
        for (int i = 0; i < BUFFERS; i++) {
            write(arena.allocate(each, 64), dense);
        }
        return arena.reset().bytesZeroed();
    }

    /**
     * Floors: the same writes, then the bare mechanism of each reset with no arena around it: a fill of the
     * used bytes ({@code zeroAll}'s floor), a pagemap scan and a fill of the pages it reports
     * ({@code keepResident}'s), an {@code madvise} of the used bytes ({@code decommitAll}'s).
     */
    @State(Scope.Thread)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public static class Floors extends BenchDefaults {
        @Param({"65536", "1048576", "16777216"})
        public long bytes;

        @Param({"dense", "sparse"})
        public String pattern;

        private MmapBacked range;
        private MemorySegment memory;
        private PageScanner scanner;
        private PageScanner.Visitor fill;

        @Setup
        public void setup() {
            range = MmapBacked.map(2 * bytes);
            memory = range.segment().asSlice(0, bytes);
            scanner = range.pageScanner().orElseThrow(() -> new IllegalStateException("no page scanner here"));
            fill = (offset, length, state, huge) -> {
                memory.asSlice(offset, length).fill((byte) 0);
                return true;
            };
        }

        @TearDown
        public void tearDown() {
            range.close();
        }

        private void writeAll() {
            boolean dense = pattern.equals("dense");
            long each = bytes / BUFFERS;
            for (int i = 0; i < BUFFERS; i++) {
                write(memory.asSlice(i * each, each), dense);
            }
        }

        @Benchmark
        public long memsetFloor() {
            writeAll();
            memory.fill((byte) 0);
            return bytes;
        }

        @Benchmark
        public long scanFloor() {
            writeAll();
            scanner.scan(0, bytes, 0, fill);
            return bytes;
        }

        @Benchmark
        public long decommitFloor() {
            writeAll();
            range.releasePages(0, bytes);
            return bytes;
        }
    }

    /** Anchor: the same request with a fresh {@code Arena.ofConfined()}, which zeroes on allocate and frees on close. */
    @State(Scope.Thread)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public static class Jdk extends BenchDefaults {
        @Param({"65536", "1048576", "16777216"})
        public long bytes;

        @Param({"dense", "sparse"})
        public String pattern;

        @Benchmark
        public long cycle() {
            boolean dense = pattern.equals("dense");
            long each = bytes / BUFFERS;
            try (Arena arena = Arena.ofConfined()) {
                long sum = 0;
                for (int i = 0; i < BUFFERS; i++) {
                    MemorySegment b = arena.allocate(each, 64);
                    write(b, dense);
                    sum += b.address();
                }
                return sum;
            }
        }
    }
}
