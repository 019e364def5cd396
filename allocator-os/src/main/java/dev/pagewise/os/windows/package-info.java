/**
 * The Windows backing, {@link dev.pagewise.os.windows.VirtualAllocBacked}: {@code VirtualAlloc} reserve and
 * commit through JNA, {@code VirtualFree} decommit-and-recommit for pages that must read zero. Compiled and
 * unit-tested in its pure parts on Linux, never run on Windows by this project; it needs JNA
 * ({@code net.java.dev.jna:jna}) on the class or module path.
 *
 * {@snippet lang=java :
 * OsBacked memory = OsMemory.map(1 << 20, MapOptions.DEFAULT.withLazyCommit()); // VirtualAllocBacked on Windows
 * }
 */
package dev.pagewise.os.windows;
