package dev.pagewise.bench;

import dev.pagewise.core.Protection;
import dev.pagewise.os.MapOptions;
import dev.pagewise.os.linux.MmapBacked;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The backing's own operations against the JDK's way of getting the same memory: a region of
 * {@code size} bytes obtained, touched once per page and given back.
 */
@State(Scope.Thread)
public class BackingBench extends BenchDefaults {

    @Param({"65536", "1048576"})
    public long size;

    private MmapBacked touched;
    /** A range of its own, so that a page left read-only never meets {@link #touchReleasePages}'s writes. */
    private MmapBacked toggled;
    private boolean readOnly;

    @Setup
    public void setup() {
        touched = MmapBacked.map(size);
        toggled = MmapBacked.map(size);
    }

    @TearDown
    public void tearDown() {
        touched.close();
        if (readOnly) {
            toggled.protect(0, 4096, Protection.READ_WRITE);
        }
        toggled.close();
    }

    private static void touch(MemorySegment s) {
        for (long i = 0; i < s.byteSize(); i += 4096) {
            s.set(JAVA_BYTE, i, (byte) 1);
        }
    }

    /** Anchor: a confined arena allocates (and zeroes) the region, it is touched, the arena closes. */
    @Benchmark
    public void jdkArenaAllocateTouchClose() {
        try (Arena arena = Arena.ofConfined()) {
            touch(arena.allocate(size, 4096));
        }
    }

    /** mmap, touch, munmap. */
    @Benchmark
    public void mmapTouchClose() {
        try (MmapBacked m = MmapBacked.map(size)) {
            touch(m.segment());
        }
    }

    /** mmap lazily, commit all, touch, munmap. */
    @Benchmark
    public void mmapLazyCommitTouchClose() {
        try (MmapBacked m = MmapBacked.map(size, MapOptions.DEFAULT.withLazyCommit())) {
            m.commit(0, size);
            touch(m.segment());
        }
    }

    /** Touch a mapped region, then give its pages back: a fault per page plus one madvise. */
    @Benchmark
    public void touchReleasePages() {
        touch(touched.segment());
        touched.releasePages(0, size);
    }

    /** Flip the first page between read-only and read-write. */
    @Benchmark
    public MemorySegment protectToggle() {
        readOnly = !readOnly;
        return toggled.protect(0, 4096, readOnly ? Protection.READ : Protection.READ_WRITE);
    }
}
