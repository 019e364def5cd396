package dev.pagewise.os;

import dev.pagewise.core.OsBacked;
import dev.pagewise.os.linux.MmapBacked;
import dev.pagewise.os.windows.VirtualAllocBacked;

/** Picks the operating system's backing: {@link MmapBacked} on Linux, {@link VirtualAllocBacked} on Windows. */
public final class OsMemory {

    private OsMemory() {
    }

    /**
     * Maps a new region of at least {@code byteSize} bytes.
     *
     * @param byteSize the size of the region, in bytes; the backing rounds it up to its page size
     * @param options  how to reserve the region
     * @return the region, open until closed
     * @throws IllegalArgumentException if {@code byteSize} is not positive
     * @throws UnsupportedOperationException on an operating system with no backing (use
     *         {@link dev.pagewise.core.NativeBacked} there)
     * @throws OsException if the system refuses the mapping
     */
    public static OsBacked map(long byteSize, MapOptions options) {
        String os = System.getProperty("os.name", "");
        if (os.startsWith("Linux")) {
            return MmapBacked.map(byteSize, options);
        }
        if (os.startsWith("Windows")) {
            return VirtualAllocBacked.map(byteSize, options);
        }
        throw new UnsupportedOperationException("no OS backing for " + os + "; use NativeBacked");
    }

    /**
     * {@return {@link #map(long, MapOptions)} with {@link MapOptions#DEFAULT}}
     *
     * @param byteSize the size of the region, in bytes; the backing rounds it up to its page size
     * @throws IllegalArgumentException if {@code byteSize} is not positive
     * @throws UnsupportedOperationException on an operating system with no backing
     * @throws OsException if the system refuses the mapping
     */
    public static OsBacked map(long byteSize) {
        return map(byteSize, MapOptions.DEFAULT);
    }
}
