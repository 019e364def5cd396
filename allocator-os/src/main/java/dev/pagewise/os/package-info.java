/**
 * Memory from the operating system, and arenas per request for servers.
 *
 * <p>{@link dev.pagewise.os.OsMemory#map} picks the platform's backing ({@code linux.MmapBacked},
 * {@code windows.VirtualAllocBacked}); {@link dev.pagewise.os.MapOptions} says how to reserve it.
 * {@link dev.pagewise.os.ArenaPool} leases one arena per request out of one reservation, resets each slot on
 * return, and reclaims leases that are never closed:
 *
 * {@snippet lang=java :
 * try (ArenaPool pool = ArenaPool.builder(64, 4 << 20).build()) {
 *     try (RequestArena arena = pool.lease()) {   // in the request's thread
 *         MemorySegment body = arena.allocate(27_000, 8);
 *     }                                           // reset under keepResident, returned
 * }
 * }
 *
 * System calls fail with {@link dev.pagewise.os.OsException}, naming the call, its arguments and the error.
 */
package dev.pagewise.os;
