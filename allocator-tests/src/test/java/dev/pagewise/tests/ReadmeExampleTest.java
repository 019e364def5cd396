package dev.pagewise.tests;

import dev.pagewise.core.BumpArena;
import dev.pagewise.core.NativeBacked;
import dev.pagewise.core.StackArena;
import dev.pagewise.os.ArenaPool;
import dev.pagewise.os.MapOptions;
import dev.pagewise.os.RequestArena;
import dev.pagewise.os.linux.MmapBacked;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's examples, verbatim between the markers, so they cannot rot. */
class ReadmeExampleTest {

    @Test
    void usage() {
        // README:usage:begin
        try (MmapBacked memory = MmapBacked.map(1L << 30, MapOptions.DEFAULT.withLazyCommit()); // 1 GiB reserved, 0 committed
             BumpArena arena = BumpArena.over(memory)) {                         // an Arena, a SegmentAllocator
            for (int request = 0; request < 3; request++) {
                MemorySegment name = arena.allocateFrom("request-" + request);  // any FFM API takes the arena
                MemorySegment ids = arena.allocate(ValueLayout.JAVA_LONG, 1024); // reads zero, never zeroed here
                ids.setAtIndex(ValueLayout.JAVA_LONG, 0, request);
                arena.reset();  // zero only the pages written, keep 4 MiB hot, return the rest to the kernel
                try {
                    name.getString(0);
                } catch (IllegalStateException stale) {
                    System.out.println("a stale segment throws: " + stale.getMessage()); // never shows new data
                }
            }
        }
        // README:usage:end
    }

    @Test
    void arenaPerCall() {
        // README:stack:begin
        try (NativeBacked memory = NativeBacked.allocate(64 << 10); StackArena stack = StackArena.over(memory)) {
            try (StackArena.Frame frame = stack.push()) {         // a Frame is an Arena
                MemorySegment path = frame.allocateFrom("/tmp/data");
                MemorySegment stat = frame.allocate(144, 8);
                // ... pass path and stat to a downcall ...
            } // popped: the frame's bytes read zero again, its segments are closed
        }
        // README:stack:end
    }

    @Test
    void arenaPerRequest() {
        // README:pool:begin
        try (ArenaPool pool = ArenaPool.builder(64, 4 << 20).leaseTimeout(Duration.ofSeconds(5)).build()) {
            long contentLength = 27_000;
            try (RequestArena arena = pool.lease()) {      // in the request's (virtual) thread
                MemorySegment body = arena.allocate(contentLength, 8);
                // ... parse, compute, answer ...
            }                                              // closed, reset under keepResident, returned to the pool
        }
        // README:pool:end
    }

    @Test
    void readmeShowsExactlyTheseExamples() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        String source = Files.readString(Path.of("src/test/java/dev/pagewise/tests/ReadmeExampleTest.java"));
        for (String name : List.of("usage", "stack", "pool")) {
            String snippet = between(source, "// README:" + name + ":begin\n", "\n\\s*// README:" + name + ":end");
            assertTrue(readme.contains("```java\n" + snippet + "\n```"), "README block '" + name + "' differs from:\n" + snippet);
        }
    }

    /** The text between two markers, with its common indentation removed. */
    private static String between(String text, String begin, String endRegex) {
        String from = text.substring(text.indexOf(begin) + begin.length());
        String body = from.split(endRegex, 2)[0];
        return body.stripIndent().stripTrailing();
    }
}
