package dev.pagewise.core;

import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Restricted;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/** A page-aligned part of an {@link OsBacked} range, itself {@link OsBacked}: the OS operations go to the parent, shifted. */
final class OsRangeSlice extends RangeSlice implements OsBacked {

    private final OsBacked os;

    OsRangeSlice(OsBacked parent, long offset, long length) {
        super(parent, checkPages(parent, offset, length), length);
        this.os = parent;
    }

    private static long checkPages(OsBacked parent, long offset, long length) {
        Checks.checkPageRange(offset, length, parent.byteSize(), parent.pageSize());
        return offset;
    }

    @Override
    public long pageSize() {
        return os.pageSize();
    }

    @Override
    public void releasePages(long offset, long length) {
        Checks.checkPageRange(offset, length, this.length, pageSize());
        lifetime().checkAlive();
        os.releasePages(this.offset + offset, length);
    }

    @Override
    public MemorySegment protect(long offset, long length, Protection protection) {
        Restricted.check("OsBacked.protect(long, long, Protection)");
        Checks.checkPageRange(offset, length, committed(), pageSize());
        lifetime().checkAlive();
        MemorySegment view = os.protect(this.offset + offset, length, protection);
        MemorySegment mine = segment().asSlice(offset, view.byteSize() == 0 ? 0 : length);
        return view.isReadOnly() ? mine.asReadOnly() : mine;
    }

    @Override
    public void guard(long offset, long length) {
        Restricted.check("OsBacked.guard(long, long)");
        Checks.checkPageRange(offset, length, committed(), pageSize());
        lifetime().checkAlive();
        os.guard(this.offset + offset, length);
    }

    @Override
    public void unguard(long offset, long length) {
        Restricted.check("OsBacked.unguard(long, long)");
        Checks.checkPageRange(offset, length, committed(), pageSize());
        lifetime().checkAlive();
        os.unguard(this.offset + offset, length);
    }

    @Override
    public Optional<PageScanner> pageScanner() {
        return os.pageScanner().map(scanner -> scanner.shifted(offset, length));
    }
}
