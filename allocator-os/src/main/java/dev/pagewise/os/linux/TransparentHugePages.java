package dev.pagewise.os.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The system's transparent huge page mode, read once from {@code /sys/kernel/mm/transparent_hugepage/enabled}
 * (its format, e.g. {@code "always [madvise] never"} with the mode in brackets, is in the kernel's
 * {@code Documentation/admin-guide/mm/transhuge.rst}).
 */
final class TransparentHugePages {

    private static final Path ENABLED = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");

    /**
     * Whether every anonymous mapping may get huge pages, not only those advised {@code MADV_HUGEPAGE}; when the
     * mode cannot be read, assumed so: the safe guess for anything that bounds what stays resident.
     */
    static final boolean ALWAYS = readAlways();

    private TransparentHugePages() {
    }

    private static boolean readAlways() {
        try {
            return Files.readString(ENABLED).contains("[always]");
        } catch (IOException | SecurityException e) {
            return true;
        }
    }
}
