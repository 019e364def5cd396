package dev.pagewise.core;

import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Pins;

import java.lang.foreign.MemorySegment;

/**
 * An {@link OsBacked} range with an inaccessible ({@link Protection#NONE}) page at each end of another.
 *
 * <p>Java code cannot reach the guard pages through this range's segments: FFM bounds-checks every
 * access. What a guard page catches is what FFM cannot see: native code, handed a segment's address
 * through a downcall, that writes past either end. It faults at the first byte out of bounds instead of
 * silently corrupting a neighbour — and the fault ends the JVM, so this is a debugging aid.
 *
 * <p>Offsets are relative to the usable middle. Commits are forwarded, and the guards are kept in place
 * when the inner range's commit would make them accessible. Thread-safe.
 */
public final class GuardPage implements OsBacked {

    private final OsBacked inner;
    private final long page;
    private final long size;
    private final MemorySegment segment;
    private final Pins pins = new Pins("GuardPage");
    private volatile boolean tailGuarded;

    private GuardPage(OsBacked inner) {
        this.inner = inner;
        this.page = inner.pageSize();
        this.size = inner.byteSize() - 2 * page;
        inner.pin();
        inner.commit(0, page);
        inner.protect(0, page, Protection.NONE);
        this.segment = inner.segment().asSlice(page, size);
        guardTail();
    }

    /**
     * {@return {@code inner} with its first and last page made inaccessible}
     *
     * @throws IllegalArgumentException if {@code inner} has fewer than three pages
     */
    public static GuardPage around(OsBacked inner) {
        if (inner.byteSize() < 3 * inner.pageSize()) {
            throw new IllegalArgumentException("a guarded range needs at least 3 pages: " + inner.byteSize() + " bytes");
        }
        return new GuardPage(inner);
    }

    private void guardTail() {
        if (!tailGuarded && inner.committed() >= inner.byteSize() - page) {
            synchronized (this) {
                if (!tailGuarded) {
                    inner.protect(inner.byteSize() - page, page, Protection.NONE);
                    tailGuarded = true;
                }
            }
        }
    }

    @Override
    public MemorySegment segment() {
        return segment;
    }

    @Override
    public long byteSize() {
        return size;
    }

    @Override
    public long committed() {
        return Math.clamp(inner.committed() - page, 0, size);
    }

    @Override
    public void commit(long offset, long length) {
        Checks.checkRange(offset, length, size);
        pins.checkOpen();
        inner.commit(page + offset, length);
        guardTail();
    }

    @Override
    public long pageSize() {
        return page;
    }

    @Override
    public void releasePages(long offset, long length) {
        Checks.checkPageRange(offset, length, size, page);
        inner.releasePages(page + offset, length);
    }

    @Override
    public MemorySegment protect(long offset, long length, Protection protection) {
        Checks.checkPageRange(offset, length, size, page);
        MemorySegment view = inner.protect(page + offset, length, protection);
        if (view.byteSize() == 0) {
            return segment.asSlice(offset, 0);
        }
        return view.isReadOnly() ? segment.asSlice(offset, length).asReadOnly() : segment.asSlice(offset, length);
    }

    @Override
    public ResetReport resetPages(long offset, long length, long keepResident) {
        Checks.checkPageRange(offset, length, size, page);
        return inner.resetPages(page + offset, length, keepResident);
    }

    @Override
    public boolean trackWrites() {
        return inner.trackWrites();
    }

    @Override
    public void pin() {
        pins.pin();
    }

    @Override
    public void unpin() {
        pins.unpin();
    }

    /** Unpins the inner range and makes its guard pages accessible again; the inner range stays open. */
    @Override
    public void close() {
        pins.close();
        inner.protect(0, page, Protection.READ_WRITE);
        if (tailGuarded) {
            inner.protect(inner.byteSize() - page, page, Protection.READ_WRITE);
        }
        inner.unpin();
    }
}
