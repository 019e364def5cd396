package dev.pagewise.bench;

import dev.pagewise.core.BumpArena;
import dev.pagewise.core.ResetPolicy;
import dev.pagewise.os.MapOptions;
import dev.pagewise.os.linux.MmapBacked;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * An arena spikes to 256 MiB once, then serves 1 MiB requests under {@code keepResident(4 MiB)}:
 * measures the arena's resident bytes and the process's RSS after the spike and in steady state.
 */
public final class SteadyStateRss {

    private SteadyStateRss() {
    }

    public static void main(String[] args) {
        System.out.println(measure());
    }

    static long processRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** {@return a markdown paragraph with the measured figures} */
    static String measure() {
        try (MmapBacked range = MmapBacked.map(512L << 20, MapOptions.DEFAULT.withLazyCommit());
             BumpArena arena = BumpArena.builder(range).resetPolicy(ResetPolicy.keepResident(4 << 20)).build()) {
            long before = processRss();
            arena.allocate(256 << 20, 4096).fill((byte) 1);
            long spike = processRss();
            arena.reset();
            for (int request = 0; request < 1000; request++) {
                for (int b = 0; b < 64; b++) {
                    arena.allocate(16 << 10, 64).fill((byte) request);
                }
                arena.reset();
            }
            long steady = processRss();
            long arenaResident = range.residentBytes(0, range.byteSize());
            return String.format(Locale.ROOT, "An arena over a 512 MiB lazy mapping is filled to 256 MiB once, then "
                    + "serves 1000 requests of 64 x 16 KiB (1 MiB, dense) under `keepResident(4 MiB)`. Process RSS: "
                    + "%.1f MiB before, %.1f MiB at the spike, %.1f MiB in steady state; the arena's own resident "
                    + "bytes (mincore): **%.2f MiB** (target <= 5 MiB: %s). Last reset: %s.",
                    before / 1048576.0, spike / 1048576.0, steady / 1048576.0, arenaResident / 1048576.0,
                    arenaResident <= 5L << 20 ? "met" : "**not met**", arena.lastReset());
        }
    }
}
