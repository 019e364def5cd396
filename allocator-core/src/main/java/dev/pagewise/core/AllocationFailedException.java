package dev.pagewise.core;

import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Events;

/**
 * Thrown when an allocator has no room for a request; each one is also recorded as a
 * {@code dev.pagewise.AllocationFailure} JFR event. The message names the allocator, the
 * request and what remains: {@code "BumpArena: cannot allocate 4.0 KiB (4096 bytes, align 8): 1.0 KiB of 64.0 KiB remaining"}.
 */
public final class AllocationFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The requested size, in bytes. */
    private final long byteSize;
    /** The requested alignment. */
    private final long byteAlignment;
    /** The bytes the allocator had left, or -1 if unknown. */
    private final long remaining;

    /**
     * A failure whose message names the allocator, the request and what remained, as the class description shows.
     *
     * @param allocator     the allocator's name, as it appears in the message
     * @param byteSize      the requested size
     * @param byteAlignment the requested alignment
     * @param remaining     the bytes the allocator had left, or -1 if it cannot tell
     * @param capacity      the allocator's capacity
     */
    public AllocationFailedException(String allocator, long byteSize, long byteAlignment, long remaining, long capacity) {
        super(allocator + ": cannot allocate " + ByteSizes.format(byteSize) + " (" + byteSize + " bytes, align "
                + byteAlignment + "): " + (remaining < 0 ? "?" : ByteSizes.format(remaining)) + " of "
                + ByteSizes.format(capacity) + " remaining");
        this.byteSize = byteSize;
        this.byteAlignment = byteAlignment;
        this.remaining = remaining;
        Events.allocationFailure(getMessage(), byteSize, byteAlignment, remaining);
    }

    /**
     * A failure whose message the caller words itself, e.g. a budget that refused the request.
     *
     * @param message       the whole message
     * @param byteSize      the requested size
     * @param byteAlignment the requested alignment
     * @param remaining     the bytes left, or -1 if unknown
     */
    public AllocationFailedException(String message, long byteSize, long byteAlignment, long remaining) {
        super(message);
        this.byteSize = byteSize;
        this.byteAlignment = byteAlignment;
        this.remaining = remaining;
        Events.allocationFailure(getMessage(), byteSize, byteAlignment, remaining);
    }

    /** {@return the requested size in bytes} */
    public long byteSize() {
        return byteSize;
    }

    /** {@return the requested alignment} */
    public long byteAlignment() {
        return byteAlignment;
    }

    /** {@return the bytes the allocator had left when the request failed, or -1 if unknown} */
    public long remaining() {
        return remaining;
    }
}
