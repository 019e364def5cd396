package dev.pagewise.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the reports say about the machine that ran them: ratios between rows move with the CPU model. */
final class Machine {

    private Machine() {
    }

    /** {@return e.g. "2 CPUs (AMD EPYC)": the processor count and the model Linux names in /proc/cpuinfo} */
    static String cpus() {
        return Runtime.getRuntime().availableProcessors() + " CPUs (" + cpuModel() + ")";
    }

    private static String cpuModel() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst().orElse("model unknown");
        } catch (IOException | java.io.UncheckedIOException | SecurityException e) {
            return "model unknown";
        }
    }
}
