/**
 * Off-heap allocators over fixed ranges of native memory, usable wherever the FFM API takes a
 * {@link java.lang.foreign.SegmentAllocator} or an {@link java.lang.foreign.Arena}.
 *
 * <ul>
 *   <li>Ranges: {@link dev.pagewise.core.FixedRange} (committed prefix, {@code zero}, slices, a
 *       {@link dev.pagewise.core.Lifetime} that allocators hold) and {@link dev.pagewise.core.OsBacked}
 *       (pages the operating system can take back, protect and scan); {@link dev.pagewise.core.NativeBacked}
 *       and {@link dev.pagewise.core.GuardPage} here, the OS backings in {@code dev.pagewise.os}.</li>
 *   <li>Allocators: {@link dev.pagewise.core.BumpArena}, {@link dev.pagewise.core.StackArena},
 *       {@link dev.pagewise.core.SharedBumpArena}, {@link dev.pagewise.core.Slab},
 *       {@link dev.pagewise.core.SizeClassed}; wrappers that detect and account
 *       ({@link dev.pagewise.core.Statistics}, {@link dev.pagewise.core.Limit},
 *       {@link dev.pagewise.core.LeakTracking}, {@link dev.pagewise.core.Canary}, ...).</li>
 *   <li>Reset: {@link dev.pagewise.core.ResetPolicy} decides how an arena's memory reads zero again, and
 *       reports a {@link dev.pagewise.core.ResetStrategy}.</li>
 * </ul>
 *
 * {@snippet lang=java :
 * try (NativeBacked memory = NativeBacked.allocate(1 << 20);
 *      BumpArena arena = BumpArena.over(memory)) {
 *     MemorySegment name = arena.allocateFrom("pagewise"); // reads zero, never zeroed here
 *     arena.reset();                                      // name is stale now: using it throws
 * }
 * }
 *
 * <p>Misuse throws: bad sizes and alignments {@link java.lang.IllegalArgumentException}, use after close or
 * reset {@link java.lang.IllegalStateException}, the wrong thread {@link java.lang.WrongThreadException}. The
 * few methods that could expose memory whose access ends the JVM are <em>restricted</em> and throw
 * {@link java.lang.IllegalCallerException} to callers without native access. This package knows no
 * operating system.
 */
package dev.pagewise.core;
