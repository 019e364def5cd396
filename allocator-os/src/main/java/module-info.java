/**
 * Pagewise OS backings: {@link dev.pagewise.os.linux.MmapBacked} on Linux through the FFM linker,
 * {@link dev.pagewise.os.windows.VirtualAllocBacked} on Windows through JNA, and the
 * pagemap-driven reset. Needs {@code --enable-native-access=dev.pagewise.core,dev.pagewise.os}.
 */
module dev.pagewise.os {
    requires transitive dev.pagewise.core;
    requires static com.sun.jna;
    requires jdk.jfr;

    exports dev.pagewise.os;
    exports dev.pagewise.os.linux;
    exports dev.pagewise.os.windows;
}
