package dev.pagewise.core.internal;

import dev.pagewise.core.AllocationFailedException;
import dev.pagewise.core.AllocationListener;
import dev.pagewise.core.MemoryCorruptionException;

import java.lang.foreign.MemorySegment;

/**
 * The one way an allocator serves a request that a listener hears: ask the listener, allocate, tell it
 * what happened. Every allocator that takes a listener goes through here, and only when it has one.
 */
public final class Listening {

    /** The allocator's own path: a segment, or {@code null} (or its own exception, if {@code orThrow}) when there is no room. */
    @FunctionalInterface
    public interface Raw {
        /**
         * {@return a segment, or {@code null} when there is no room and {@code orThrow} is false}
         *
         * @param byteSize      the requested size
         * @param byteAlignment the requested alignment
         * @param orThrow       whether no room throws the allocator's {@link AllocationFailedException}
         */
        MemorySegment allocate(long byteSize, long byteAlignment, boolean orThrow);
    }

    /** An allocator's own in-place resize: the resized block, or {@code null} when it cannot stay in place. */
    @FunctionalInterface
    public interface InPlace {
        /**
         * {@return {@code segment} resized to {@code newSize} bytes at its address, or {@code null} when it
         * cannot be; nothing changed then}
         *
         * @param segment a checked live block
         * @param newSize the size asked for, not negative
         */
        MemorySegment resize(MemorySegment segment, long newSize);
    }

    private Listening() {
    }

    /**
     * Resizes a block in place so that {@code listener} hears it: {@code onPreResize}, the allocator's own
     * resize, then {@code onResize} or (when it returned {@code null} or threw) {@code onFailedResize}. A
     * {@link RuntimeException} from {@code onResize} (other than a {@link MemoryCorruptionException}) is dropped:
     * the block is resized by then, and the caller must get it.
     *
     * @param listener  hears the resize and its outcome
     * @param allocator the allocator, named in a refusal's message
     * @param segment   a checked live block
     * @param newSize   the size asked for, not negative
     * @param raw       the allocator's own in-place resize
     * @return the resized block, or {@code null} when it cannot stay in place
     * @throws AllocationFailedException if the listener refused; nothing changed then
     */
    public static MemorySegment resizeInPlace(AllocationListener listener, Object allocator, MemorySegment segment,
                                              long newSize, InPlace raw) {
        String refused = listener.onPreResize(segment, newSize);
        if (refused != null) {
            throw new AllocationFailedException(TypeNames.of(allocator) + ": cannot resize the block at 0x"
                    + Long.toHexString(segment.address()) + " from " + segment.byteSize() + " to " + newSize
                    + " bytes: " + refused, newSize, 1, -1);
        }
        MemorySegment resized;
        try {
            resized = raw.resize(segment, newSize);
        } catch (RuntimeException | Error e) {
            listener.onFailedResize(segment, newSize);
            throw e;
        }
        if (resized == null) {
            listener.onFailedResize(segment, newSize);
            return null;
        }
        try {
            listener.onResize(segment, resized);
        } catch (MemoryCorruptionException e) {
            throw e;
        } catch (RuntimeException e) {
            // The block is resized already and cannot be put back (a shrink may have given its tail away):
            // thrown, the caller would keep the old segment as if nothing happened. The listener's failure is
            // its own; the caller gets the block as it is.
        }
        return resized;
    }

    /**
     * Serves a request that {@code listener} hears; {@code allocator} is named in a refusal (only then, so
     * the path builds no string). Hold {@code raw} in a field: a method reference made per call costs an
     * allocation on the hot path.
     *
     * @param listener      hears the request and its outcome
     * @param allocator     the allocator, named in a refusal's message
     * @param byteSize      the requested size
     * @param byteAlignment the requested alignment
     * @param orThrow       whether a refusal or no room throws ({@code allocate}) or returns {@code null}
     *                      ({@code tryAllocate})
     * @param raw           the allocator's own path
     * @return the segment, or {@code null} when refused or out of room and {@code orThrow} is false
     * @throws IllegalArgumentException if {@code byteSize < 0} or {@code byteAlignment} is not a power of two
     * @throws AllocationFailedException if refused or out of room and {@code orThrow} is true
     */
    public static MemorySegment allocate(AllocationListener listener, Object allocator, long byteSize, long byteAlignment,
                                  boolean orThrow, Raw raw) {
        Checks.checkRequest(byteSize, byteAlignment);
        String refused = listener.onPreAllocation(byteSize, byteAlignment);
        if (refused != null) {
            if (orThrow) {
                throw new AllocationFailedException(TypeNames.of(allocator) + ": cannot allocate " + byteSize + " bytes (align "
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

    /**
     * {@return {@code listener}, or {@code null} for {@link AllocationListener#NOOP}, so the fast path tests one field}
     *
     * @param listener the listener an allocator was built with
     */
    public static AllocationListener orNull(AllocationListener listener) {
        return listener == AllocationListener.NOOP ? null : listener;
    }

    /**
     * Tells {@code listener} (if any) that a closing allocator freed everything and closed: {@code onReset}, then
     * {@code onClose} even if {@code onReset} threw.
     *
     * @param listener the allocator's listener, or {@code null}
     */
    public static void resetAndClose(AllocationListener listener) {
        if (listener != null) {
            try {
                listener.onReset();
            } finally {
                listener.onClose();
            }
        }
    }
}
