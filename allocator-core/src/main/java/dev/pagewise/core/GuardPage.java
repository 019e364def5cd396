package dev.pagewise.core;

import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Restricted;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@link OsBacked} range with an inaccessible guard page ({@link OsBacked#guard}) at each end of another.
 * How the page is guarded is the inner range's choice: {@link Protection#NONE} by default; on Linux 6.13+ an
 * {@code mmap}ed range installs guards that neither split its mapping nor take memory.
 *
 * <p>Java code cannot reach the guard pages: this range's segments cover the usable middle only, FFM
 * bounds-checks every access, and resets of this range stay inside the middle. What a guard page catches
 * is what FFM cannot see: native code, handed a segment's address through a downcall, that writes past
 * either end. It faults at the first byte out of bounds instead of silently corrupting a neighbour, and
 * the fault ends the JVM, so this is a debugging aid.
 *
 * <p>Offsets are relative to the usable middle. The guarded range owns the inner one until it is closed:
 * no allocator or slice can use the inner range directly meanwhile (its guard pages would be under their
 * segments), and the inner range cannot close. Its segment has a scope of its own, ended by {@link #close()}. Commits are forwarded, and the tail guard
 * is put in place when the inner range's commit reaches it. If a guard cannot be removed at close, the close
 * throws and the inner range stays held for good: it may keep a guard page under where an allocator's segments
 * would go. Thread-safe.
 */
public final class GuardPage implements OsBacked {

    static {
        Restricted.ownSegment(GuardPage.class, range -> ((GuardPage) range).segment);
    }

    private final OsBacked inner;
    private final long page;
    private final long size;
    private final MemorySegment segment;
    private final Lifetime lifetime;
    private volatile boolean tailGuarded;

    @SuppressWarnings("restricted")
    private GuardPage(OsBacked inner) {
        this.inner = inner;
        this.page = inner.pageSize();
        this.size = inner.byteSize() - 2 * page;
        Lifetime.Hold hold = inner.lifetime().acquireExclusive();
        Arena arena = null;
        try {
            inner.commit(0, page);
            inner.guard(0, page);
            arena = Arena.ofShared();
            this.segment = Restricted.segmentOf(inner).asSlice(page, size).reinterpret(arena, null);
            guardTail();
        } catch (RuntimeException | Error e) {
            try {
                unguard();
            } catch (RuntimeException | Error undo) {
                // the inner range may keep a guard page: it stays held, so no allocator can put a segment over it
                e.addSuppressed(undo);
                throw e;
            }
            try {
                if (arena != null) {
                    arena.close();
                }
            } finally {
                hold.close();
            }
            throw e;
        }
        Arena scope = arena;
        // No finally: if a step fails, the inner range stays held (and cannot close or back an allocator), since
        // it may still have a guard page, or live segments of this range over it.
        this.lifetime = Lifetime.create("GuardPage[" + inner + "]", () -> {
            scope.close();
            unguard();
            hold.close();
        });
    }

    /**
     * {@return {@code inner} with its first and last page made inaccessible}
     *
     * @param inner the range to guard; the guarded range owns it until closed, and leaves it open
     * @throws NullPointerException if {@code inner} is {@code null}
     * @throws IllegalArgumentException if {@code inner} has fewer than three pages, or is a slice (its parent's
     *         other users could reach the guard pages)
     * @throws IllegalCallerException if {@code inner} is implemented outside Pagewise and the caller has no
     *         native access
     * @throws IllegalStateException if {@code inner} is closed, or an allocator or slice uses it
     */
    public static GuardPage around(OsBacked inner) {
        Restricted.range(Objects.requireNonNull(inner, "inner"), "GuardPage.around");
        if (inner instanceof OsRangeSlice) {
            // the parent's other users could put segments over the guard pages: a slice is no range of its own
            throw new IllegalArgumentException("a GuardPage needs a range of its own, not a slice: " + inner);
        }
        if (inner.byteSize() < 3 * inner.pageSize()) {
            throw new IllegalArgumentException("a guarded range needs at least 3 pages: " + inner.byteSize() + " bytes");
        }
        return new GuardPage(inner);
    }

    private void guardTail() {
        if (!tailGuarded && inner.committed() >= inner.byteSize()) {
            synchronized (this) {
                if (!tailGuarded) {
                    inner.guard(inner.byteSize() - page, page);
                    tailGuarded = true;
                }
            }
        }
    }

    private void unguard() {
        if (inner.committed() >= page) {
            inner.unguard(0, page);
        }
        if (tailGuarded) {
            inner.unguard(inner.byteSize() - page, page);
        }
    }

    /** {@inheritDoc} The segment spans the usable middle only. */
    @Override
    public MemorySegment segment() {
        return Restricted.segment(lifetime, segment);
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
        lifetime.checkAlive();
        inner.commit(page + offset, length);
        guardTail();
    }

    @Override
    public void zero(long offset, long length) {
        Checks.checkRange(offset, length, committed());
        lifetime.checkAlive();
        if (length > 0) {
            inner.zero(page + offset, length);
        }
    }

    @Override
    public long pageSize() {
        return page;
    }

    @Override
    public void releasePages(long offset, long length) {
        Checks.checkPageRange(offset, length, size, page);
        lifetime.checkAlive();
        inner.releasePages(page + offset, length);
    }

    @Override
    public MemorySegment protect(long offset, long length, Protection protection) {
        Restricted.check("OsBacked.protect(long, long, Protection)");
        Checks.checkPageRange(offset, length, committed(), page);
        lifetime.checkAlive();
        MemorySegment view = inner.protect(page + offset, length, protection);
        MemorySegment mine = segment.asSlice(offset, view.byteSize() == 0 ? 0 : length);
        return view.isReadOnly() ? mine.asReadOnly() : mine;
    }

    @Override
    public void guard(long offset, long length) {
        Restricted.check("OsBacked.guard(long, long)");
        Checks.checkPageRange(offset, length, committed(), page);
        lifetime.checkAlive();
        inner.guard(page + offset, length);
    }

    @Override
    public void unguard(long offset, long length) {
        Restricted.check("OsBacked.unguard(long, long)");
        Checks.checkPageRange(offset, length, committed(), page);
        lifetime.checkAlive();
        inner.unguard(page + offset, length);
    }

    @Override
    public Optional<PageScanner> pageScanner() {
        return inner.pageScanner().map(scanner -> scanner.shifted(page, size));
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
