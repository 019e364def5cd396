package dev.pagewise.core;

import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Checks;
import dev.pagewise.core.internal.Restricted;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A part of a {@link FixedRange} seen as a range of its own. It holds its parent while open, no other open slice
 * of the parent overlaps it, and its segment has a scope of its own, ended by {@link #close()}.
 */
class RangeSlice implements FixedRange {

    static {
        Restricted.OwnSegment own = range -> ((RangeSlice) range).segment;
        Restricted.ownSegment(RangeSlice.class, own);
        Restricted.ownSegment(OsRangeSlice.class, own); // by exact class: the subclass is registered too
    }

    final FixedRange parent;
    final long offset;
    final long length;
    private final Arena arena;
    private final MemorySegment segment;
    private final Lifetime lifetime;

    @SuppressWarnings("restricted")
    RangeSlice(FixedRange parent, long offset, long length) {
        Restricted.range(parent, "FixedRange.slice");
        Checks.checkRange(offset, length, parent.byteSize());
        Lifetime.Hold hold = parent.lifetime().acquireSlice(offset, length);
        try {
            this.arena = Arena.ofShared();
            this.segment = Restricted.segmentOf(parent).asSlice(offset, length).reinterpret(arena, null);
        } catch (RuntimeException | Error e) {
            hold.close();
            throw e;
        }
        this.parent = parent;
        this.offset = offset;
        this.length = length;
        this.lifetime = Lifetime.create("slice [" + offset + ", +" + ByteSizes.format(length) + ") of "
                + parent.lifetime().name(), () -> {
                    try {
                        arena.close();
                    } finally {
                        hold.close();
                    }
                });
    }

    @Override
    public MemorySegment segment() {
        return Restricted.segment(lifetime, segment);
    }

    @Override
    public long byteSize() {
        return length;
    }

    @Override
    public long committed() {
        return Math.clamp(parent.committed() - offset, 0, length);
    }

    @Override
    public void commit(long offset, long length) {
        Checks.checkRange(offset, length, this.length);
        lifetime.checkAlive();
        parent.commit(this.offset + offset, length);
    }

    @Override
    public void zero(long offset, long length) {
        Checks.checkRange(offset, length, committed());
        lifetime.checkAlive();
        if (length > 0) {
            parent.zero(this.offset + offset, length);
        }
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
