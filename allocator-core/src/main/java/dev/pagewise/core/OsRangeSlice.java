package dev.pagewise.core;

import dev.pagewise.core.internal.Checks;

import java.lang.foreign.MemorySegment;

/** A page-aligned part of an {@link OsBacked} range, itself {@link OsBacked}: the OS operations go to the parent. */
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
        Checks.checkPageRange(offset, length, segment.byteSize(), pageSize());
        os.releasePages(this.offset + offset, length);
    }

    @Override
    public MemorySegment protect(long offset, long length, Protection protection) {
        Checks.checkPageRange(offset, length, segment.byteSize(), pageSize());
        MemorySegment view = os.protect(this.offset + offset, length, protection);
        if (view.byteSize() == 0) {
            return segment.asSlice(offset, 0);
        }
        return view.isReadOnly() ? segment.asSlice(offset, length).asReadOnly() : segment.asSlice(offset, length);
    }

    @Override
    public ResetReport resetPages(long offset, long length, long keepResident) {
        Checks.checkPageRange(offset, length, segment.byteSize(), pageSize());
        return os.resetPages(this.offset + offset, length, keepResident);
    }

    @Override
    public boolean trackWrites() {
        return os.trackWrites();
    }
}
