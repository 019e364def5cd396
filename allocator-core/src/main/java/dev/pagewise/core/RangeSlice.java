package dev.pagewise.core;

import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Pins;

import java.lang.foreign.MemorySegment;

/** A part of a {@link FixedRange} seen as a range of its own; it pins its parent while open. */
class RangeSlice implements FixedRange {

    final FixedRange parent;
    final long offset;
    final MemorySegment segment;
    private final Pins pins = new Pins("RangeSlice");

    RangeSlice(FixedRange parent, long offset, long length) {
        Checks.checkRange(offset, length, parent.byteSize());
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
