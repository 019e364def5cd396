package dev.pagewise.core.internal;

/**
 * Where the resident pages of one range end, at most, as the resets of its one user left them: no page at or
 * past {@link #get()} is resident, unless written since through memory that user handed out (which the next
 * reset's used bytes cover). It includes the scanner's {@code faultReach()}: a write can fault in a whole
 * transparent huge page past the bytes written. Held by whatever resets the range (an arena, a pool slot),
 * never shared between users of a range, and written only by the thread that resets it. It lets
 * {@code keepResident} skip walking a committed prefix far larger than its budget on every reset.
 */
public final class ResidentEnd {

    private long end = Long.MAX_VALUE;

    /** {@return the end, a page boundary, or {@code Long.MAX_VALUE} while unknown} */
    public long get() {
        return end;
    }

    /**
     * Records a new end.
     *
     * @param end a page boundary past which no page is resident
     */
    public void set(long end) {
        this.end = end;
    }
}
