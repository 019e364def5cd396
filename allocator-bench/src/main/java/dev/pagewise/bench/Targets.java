package dev.pagewise.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static dev.pagewise.bench.Target.bench;
import static dev.pagewise.bench.Target.fastest;

/**
 * The targets the issues set for the suite, in one place: the report judges them, and {@code scripts/bench}
 * runs the benchmarks they read with more forks and iterations than the rest ({@code main} prints their names
 * as a JMH regex).
 */
final class Targets {

    private static final List<String> SIZES = List.of("64", "512", "4096");
    private static final List<String> RESET_BYTES = List.of("65536", "1048576", "16777216");
    private static final List<String> PATTERNS = List.of("dense", "sparse");

    private Targets() {
    }

    static List<Target> all() {
        List<Target> t = new ArrayList<>();
        Target.Bench frame64 = bench("AllocateBench.stackArenaFrameChecked", "size", "64");
        Target.Bench frame4k = bench("AllocateBench.stackArenaFrameChecked", "size", "4096");
        t.add(Target.faster("Checked StackArena frame, 64 B: >= 3x faster than Arena.ofConfined() allocate+close",
                frame64, bench("AllocateBench.jdkConfinedArenaAllocateClose", "size", "64"), 3));
        t.add(Target.within("Checked StackArena frame, 64 B: within 1.3x of LWJGL MemoryStack push/calloc/pop",
                frame64, bench("AllocateBench.lwjglMemoryStackCalloc", "size", "64"), 1.3));
        t.add(Target.within("Checked StackArena frame, 4 KiB: no slower than Arena.ofConfined() allocate+close",
                frame4k, bench("AllocateBench.jdkConfinedArenaAllocateClose", "size", "4096"), 1));
        t.add(Target.within("Checked StackArena frame, 4 KiB: within 1.15x of a bare fill of 4 KiB",
                frame4k, bench("AllocateBench.memsetFloor", "size", "4096"), 1.15));
        t.add(Target.within("Checked BumpArena.allocate, committed memory: within 1.1x of the JDK's slicingAllocator",
                bench("AllocateBench.bumpArenaChecked", "size", "64"),
                bench("AllocateBench.jdkSlicingAllocator", "size", "64"), 1.1));
        for (String size : SIZES) {
            t.add(Target.faster("SizeClassed allocate+free without zeroing, " + size
                            + " B: >= 3x faster than the faster of Netty pooled and adaptive",
                    bench("SizeClassedBench.sizeClassedWithoutZeroingAllocateFree", "size", size),
                    fastest(bench("SizeClassedBench.nettyPooledAllocateRelease", "size", size),
                            bench("SizeClassedBench.nettyAdaptiveAllocateRelease", "size", size)), 3));
        }
        // The arena as built by default (64 KiB chunks). SharedBumpBench also runs chunkSize 0, a CAS on one
        // shared cursor per request, to show why the chunks exist: two cores fighting over one cache line do less
        // than one alone, so that row is a reference in the table, not a target.
        t.add(Target.throughput("SharedBumpArena, 2 threads: >= 1.6x the throughput of one (default 64 KiB chunks)",
                bench("SharedBumpBench.twoThreads", "chunkSize", "65536"),
                bench("SharedBumpBench.oneThread", "chunkSize", "65536"), 1.6));
        for (String bytes : RESET_BYTES) {
            for (String pattern : PATTERNS) {
                String where = ", " + pattern + " " + size(bytes);
                t.add(Target.within("Reset keepResident" + where + ": within 1.15x of the scan floor",
                        cycle(bytes, pattern, "keepResident"), floor("scanFloor", bytes, pattern), 1.15));
                t.add(Target.within("Reset zeroAll" + where + ": within 1.15x of the memset floor",
                        cycle(bytes, pattern, "zeroAll"), floor("memsetFloor", bytes, pattern), 1.15));
            }
        }
        t.add(Target.within("Reset keepResident, dense 1 MiB: no slower than Arena.ofConfined() per request",
                cycle("1048576", "dense", "keepResident"), jdkCycle("1048576", "dense"), 1));
        t.add(Target.faster("Reset keepResident, sparse 1 MiB: >= 2.5x faster than zeroAll",
                cycle("1048576", "sparse", "keepResident"), cycle("1048576", "sparse", "zeroAll"), 2.5));
        t.add(Target.faster("Reset keepResident, sparse 1 MiB: >= 6x faster than decommitAll",
                cycle("1048576", "sparse", "keepResident"), cycle("1048576", "sparse", "decommitAll"), 6));
        t.add(Target.faster("Reset keepResident, sparse 1 MiB: >= 3x faster than Arena.ofConfined() per request",
                cycle("1048576", "sparse", "keepResident"), jdkCycle("1048576", "sparse"), 3));
        t.add(Target.within("Request memory of the server's csv workload: an ArenaPool lease no slower than Arena.ofConfined()",
                bench("RequestMemoryBench.poolLease"), bench("RequestMemoryBench.jdkConfinedArena"), 1));
        for (String variant : List.of("bumpStatistics", "bumpStatisticsConfined")) {
            t.add(Target.overhead("Statistics on BumpArena.allocate: <= 3 ns more (" + variant + ")",
                    bench("WrapperBench." + variant), bench("WrapperBench.bumpRaw"), 3));
        }
        return List.copyOf(t);
    }

    private static Target.Bench cycle(String bytes, String pattern, String policy) {
        return bench("ResetBench.cycle", "bytes", bytes, "pattern", pattern, "policy", policy);
    }

    private static Target.Bench jdkCycle(String bytes, String pattern) {
        return bench("Jdk.cycle", "bytes", bytes, "pattern", pattern);
    }

    private static Target.Bench floor(String floor, String bytes, String pattern) {
        return bench("Floors." + floor, "bytes", bytes, "pattern", pattern);
    }

    static String size(String bytes) {
        long b = Long.parseLong(bytes);
        return b >= 1 << 20 ? (b >> 20) + " MiB" : b >= 1 << 10 ? (b >> 10) + " KiB" : b + " B";
    }

    /** {@return a JMH include regex matching every benchmark a target reads} */
    static String benchmarkRegex() {
        return all().stream().flatMap(Target::benchmarks).distinct().sorted()
                .map(name -> "\\." + name.replace(".", "\\.") + "$")
                .collect(Collectors.joining("|"));
    }

    /** Prints {@link #benchmarkRegex()}, for {@code scripts/bench}. */
    public static void main(String[] args) {
        System.out.println(benchmarkRegex());
    }
}
