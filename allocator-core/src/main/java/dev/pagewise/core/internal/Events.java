package dev.pagewise.core.internal;

import dev.pagewise.core.ResetEvent;
import dev.pagewise.core.ResetReport;

/** Emits Pagewise's JFR events; the event classes are public so JFR can read them, their emission is not. */
public final class Events {

    private Events() {
    }

    /**
     * Commits a {@link ResetEvent} for a reset of {@code used} bytes, if the event is enabled.
     *
     * @param used   the bytes the reset restored
     * @param report what the reset did
     */
    public static void reset(long used, ResetReport report) {
        ResetEvent event = new ResetEvent();
        if (event.shouldCommit()) {
            event.strategy = report.strategy().name();
            event.bytesUsed = used;
            event.bytesZeroed = report.bytesZeroed();
            event.bytesDecommitted = report.bytesDecommitted();
            event.regions = report.regions();
            event.nanos = report.nanos();
            event.commit();
        }
    }
}
