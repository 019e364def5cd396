package dev.pagewise.core;

import dev.pagewise.core.internal.Checks;

import java.lang.foreign.MemorySegment;

/**
 * The one way an allocator serves a request that a listener hears: ask the listener, allocate, tell it
 * what happened. Every allocator that takes a listener goes through here, and only when it has one.
 */
final class Listened {

    /** The allocator's own path: a segment, or {@code null} (or its own exception, if {@code orThrow}) when there is no room. */
    @FunctionalInterface
    interface Raw {
        MemorySegment allocate(long byteSize, long byteAlignment, boolean orThrow);
    }

    private Listened() {
    }

    static MemorySegment allocate(AllocationListener listener, String allocator, long byteSize, long byteAlignment,
                                  boolean orThrow, Raw raw) {
        Checks.checkRequest(byteSize, byteAlignment);
        String refused = listener.onPreAllocation(byteSize, byteAlignment);
        if (refused != null) {
            if (orThrow) {
                throw new AllocationFailedException(allocator + ": cannot allocate " + byteSize + " bytes (align "
                        + byteAlignment + "): " + refused, byteSize, byteAlignment, -1);
            }
            return null;
        }
        MemorySegment segment;
        try {
            segment = raw.allocate(byteSize, byteAlignment, orThrow);
        } catch (RuntimeException | Error e) {
            listener.onFailedAllocation(byteSize, byteAlignment);
            throw e;
        }
        if (segment == null) {
            listener.onFailedAllocation(byteSize, byteAlignment);
            return null;
        }
        listener.onAllocation(segment);
        return segment;
    }

    /** {@return {@code listener}, or {@code null} for {@link AllocationListener#NOOP}, so the fast path tests one field} */
    static AllocationListener orNull(AllocationListener listener) {
        return listener == AllocationListener.NOOP ? null : listener;
    }
}
