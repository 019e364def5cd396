package dev.pagewise.os;

import dev.pagewise.core.OsBacked;
import dev.pagewise.core.Protection;
import dev.pagewise.core.ResetReport;
import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Pins;

import java.lang.foreign.MemorySegment;

/** A page-aligned part of an {@link OsBacked} range, itself an {@link OsBacked}; it pins its parent while open. */
final class OsSlice implements OsBacked {

    private final OsBacked parent;
    private final long offset;
    private final MemorySegment segment;
    private final Pins pins = new Pins("OsSlice");

    OsSlice(OsBacked parent, long offset, long length) {
        Checks.checkPageRange(offset, length, parent.byteSize(), parent.pageSize());
        parent.pin();
        this.parent = parent;
        this.offset = offset;
        this.segment = parent.segment().asSlice(offset, length);
    }

    @Override
    public MemorySegment segment() {
        return segment;
    }

    @Override
    public long byteSize() {
        return segment.byteSize();
    }

    @Override
    public long committed() {
        return Math.clamp(parent.committed() - offset, 0, segment.byteSize());
    }

    @Override
    public void commit(long offset, long length) {
        Checks.checkRange(offset, length, segment.byteSize());
        pins.checkOpen();
        parent.commit(this.offset + offset, length);
    }

    @Override
    public long pageSize() {
        return parent.pageSize();
    }

    @Override
    public void releasePages(long offset, long length) {
        Checks.checkPageRange(offset, length, segment.byteSize(), pageSize());
        parent.releasePages(this.offset + offset, length);
    }

    @Override
    public MemorySegment protect(long offset, long length, Protection protection) {
        Checks.checkPageRange(offset, length, segment.byteSize(), pageSize());
        MemorySegment view = parent.protect(this.offset + offset, length, protection);
        if (view.byteSize() == 0) {
            return segment.asSlice(offset, 0);
        }
        return view.isReadOnly() ? segment.asSlice(offset, length).asReadOnly() : segment.asSlice(offset, length);
    }

    @Override
    public ResetReport resetPages(long offset, long length, long keepResident) {
        Checks.checkPageRange(offset, length, segment.byteSize(), pageSize());
        return parent.resetPages(this.offset + offset, length, keepResident);
    }

    @Override
    public boolean trackWrites() {
        return parent.trackWrites();
    }

    @Override
    public void pin() {
        pins.pin();
    }

    @Override
    public void unpin() {
        pins.unpin();
    }

    @Override
    public void close() {
        pins.close();
        parent.unpin();
    }
}
