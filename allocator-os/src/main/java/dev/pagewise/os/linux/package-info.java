/**
 * Linux backings through the FFM linker: {@link dev.pagewise.os.linux.MmapBacked}, an anonymous mapping
 * with lazy commit, huge pages, guard pages and a page scanner over Linux's pagemap ({@code PAGEMAP_SCAN},
 * else {@code /proc/self/pagemap}, with userfaultfd write tracking on request); and
 * {@link dev.pagewise.os.linux.Locked}, an {@code mlock}ed region for secrets that fails closed.
 *
 * {@snippet lang=java :
 * try (MmapBacked memory = MmapBacked.map(1L << 30, MapOptions.DEFAULT.withLazyCommit());
 *      BumpArena arena = BumpArena.over(memory)) {   // 1 GiB reserved, committed as the arena grows
 *     MemorySegment buffer = arena.allocate(1 << 20, 8);
 *     buffer.set(ValueLayout.JAVA_LONG, 0, 42);     // one page of the MiB written
 *     arena.reset();                                // the pagemap finds that page: only it is zeroed
 * }
 * }
 *
 * The system-call bindings in this package are package-private.
 */
package dev.pagewise.os.linux;
