package dev.pagewise.os.windows;

import dev.pagewise.core.internal.Zeroing;
import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import dev.pagewise.core.Lifetime;
import dev.pagewise.core.OsBacked;
import dev.pagewise.core.Protection;
import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Restricted;
import dev.pagewise.os.MapOptions;
import dev.pagewise.os.OsException;
import dev.pagewise.os.internal.CommitWatermark;
import dev.pagewise.os.internal.RestrictedPages;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A {@code VirtualAlloc} region on 64-bit Windows, through JNA: reserved with {@code MEM_RESERVE} and
 * committed behind a watermark ({@code MEM_COMMIT}, {@code PAGE_READWRITE}) as {@link #commit} advances.
 * {@link #releasePages} decommits and recommits, because {@code MEM_RESET} and
 * {@code DiscardVirtualMemory} leave contents undefined where this contract promises zeros.
 * {@link #close()} releases the region ({@code MEM_RELEASE}). Thread-safe.
 */
public final class VirtualAllocBacked implements OsBacked {

    static {
        Restricted.ownSegment(VirtualAllocBacked.class, range -> ((VirtualAllocBacked) range).segment);
    }

    /** Windows' page size on x64 and arm64. */
    public static final long PAGE_SIZE = 4096;
    /** The step of the commit watermark: Windows' allocation granularity. */
    public static final long COMMIT_GRANULARITY = 64 << 10;

    private final long base;
    private final long size;
    private final MemorySegment segment;
    private final Lifetime lifetime;
    private final RestrictedPages restricted = new RestrictedPages();
    private final Object commitLock = new Object();
    private volatile long committed;

    @SuppressWarnings("restricted")
    private VirtualAllocBacked(long base, long size, long committed, long mapStart) {
        this.base = base;
        this.size = size;
        this.committed = committed;
        Arena arena = Arena.ofShared();
        this.segment = MemorySegment.ofAddress(base).reinterpret(size, arena, _ -> release(mapStart));
        this.lifetime = Lifetime.create("VirtualAllocBacked[" + ByteSizes.format(size) + " at 0x"
                + Long.toHexString(base) + "]", arena::close);
    }

    /**
     * Reserves {@code byteSize} bytes, rounded up to the page size. Huge pages need a privilege Pagewise
     * does not ask for, so {@link MapOptions#hugePages()} is ignored, and {@link MapOptions#hugeTlb()} refused.
     *
     * @param byteSize the size of the region, in bytes
     * @param options  how to reserve the region
     * @return the region, open until closed
     * @throws NullPointerException if {@code options} is {@code null}
     * @throws IllegalArgumentException if {@code byteSize} is not positive, or {@code options} asks for {@code hugeTlb}
     * @throws OsException if {@code VirtualAlloc} fails, naming its {@code GetLastError} code
     */
    public static VirtualAllocBacked map(long byteSize, MapOptions options) {
        Objects.requireNonNull(options, "options");
        if (byteSize <= 0) {
            throw new IllegalArgumentException("byteSize must be positive: " + byteSize);
        }
        if (options.hugeTlb()) {
            throw new IllegalArgumentException("hugeTlb is not supported on Windows (MEM_LARGE_PAGES needs SeLockMemoryPrivilege)");
        }
        long size = Checks.alignUp(byteSize, PAGE_SIZE);
        long guard = options.guardPages() ? PAGE_SIZE : 0;
        long total = Math.addExact(size, 2 * guard);
        Kernel32Memory k32 = Kernel32Memory.INSTANCE;
        Pointer raw;
        try {
            raw = k32.VirtualAlloc(null, total, Kernel32Memory.MEM_RESERVE, WindowsProtection.PAGE_NOACCESS);
        } catch (LastErrorException e) {
            throw failure("VirtualAlloc(" + ByteSizes.format(total) + ", MEM_RESERVE)", e);
        }
        long mapStart = Pointer.nativeValue(raw);
        long base = mapStart + guard;
        long committed = 0;
        if (!options.lazyCommit()) {
            commitRange(base, size);
            committed = size;
        }
        return new VirtualAllocBacked(base, size, committed, mapStart);
    }

    private static OsException failure(String call, LastErrorException e) {
        return new OsException(call, e.getErrorCode(), "GetLastError");
    }

    private static void commitRange(long address, long length) {
        try {
            Kernel32Memory.INSTANCE.VirtualAlloc(new Pointer(address), length, Kernel32Memory.MEM_COMMIT,
                    WindowsProtection.PAGE_READWRITE);
        } catch (LastErrorException e) {
            throw failure("VirtualAlloc(0x" + Long.toHexString(address) + ", " + length + ", MEM_COMMIT)", e);
        }
    }

    private static void release(long mapStart) {
        Kernel32Memory.INSTANCE.VirtualFree(new Pointer(mapStart), 0, Kernel32Memory.MEM_RELEASE);
    }

    @Override
    public MemorySegment segment() {
        return Restricted.segment(lifetime, segment);
    }

    @Override
    public long byteSize() {
        return size;
    }

    @Override
    public long pageSize() {
        return PAGE_SIZE;
    }

    @Override
    public long committed() {
        return committed;
    }

    @Override
    public void commit(long offset, long length) {
        Checks.checkRange(offset, length, size);
        long end = offset + length;
        if (end <= committed) {
            lifetime.checkAlive();
            return;
        }
        synchronized (commitLock) {
            lifetime.checkAlive();
            long from = committed;
            long to = CommitWatermark.advance(from, end, COMMIT_GRANULARITY, size);
            if (to > from) {
                commitRange(base + from, to - from);
                committed = to;
            }
        }
    }

    @Override
    public void releasePages(long offset, long length) {
        Checks.checkPageRange(offset, length, size, PAGE_SIZE);
        lifetime.checkAlive();
        restricted.checkWritable(offset, length, "releasePages", this);
        if (length == 0) {
            return;
        }
        try {
            Kernel32Memory.INSTANCE.VirtualFree(new Pointer(base + offset), length, Kernel32Memory.MEM_DECOMMIT);
        } catch (LastErrorException e) {
            throw failure("VirtualFree(0x" + Long.toHexString(base + offset) + ", " + length + ", MEM_DECOMMIT)", e);
        }
        commitRange(base + offset, length);
    }

    @Override
    public MemorySegment protect(long offset, long length, Protection protection) {
        Restricted.check("OsBacked.protect(long, long, Protection)");
        Objects.requireNonNull(protection, "protection");
        Checks.checkPageRange(offset, length, committed, PAGE_SIZE);
        lifetime.checkAlive();
        if (length > 0) {
            try {
                Kernel32Memory.INSTANCE.VirtualProtect(new Pointer(base + offset), length,
                        WindowsProtection.of(protection), new IntByReference());
            } catch (LastErrorException e) {
                throw failure("VirtualProtect(0x" + Long.toHexString(base + offset) + ", " + length + ", "
                        + protection + ")", e);
            }
            restricted.mark(offset, offset + length, protection != Protection.READ_WRITE);
        }
        if (!protection.canRead()) {
            return segment.asSlice(offset, 0);
        }
        MemorySegment view = segment.asSlice(offset, length);
        return protection.canWrite() ? view : view.asReadOnly();
    }

    @Override
    public void zero(long offset, long length) {
        Checks.checkRange(offset, length, committed);
        lifetime.checkAlive();
        restricted.checkWritable(offset, length, "zero", this);
        Zeroing.zero(segment, offset, length);
    }

    @Override
    public Lifetime lifetime() {
        return lifetime;
    }

    @Override
    public String toString() {
        return lifetime.name();
    }
}
