package dev.pagewise.core.internal;

import dev.pagewise.core.ResetReport;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Emits Pagewise's JFR events. The event classes are not API: a consumer finds them by name
 * ({@code dev.pagewise.*}); docs/observability.md lists them with their fields and defaults.
 */
public final class Events {

    private Events() {
    }

    /** {@return a reset event whose duration starts now}; pass it to {@link #reset} when the reset is done. */
    public static ResetEvent beginReset() {
        ResetEvent event = new ResetEvent();
        event.begin();
        return event;
    }

    /** Ends {@code event} and commits it if it is enabled and lasted past its threshold. */
    public static void reset(ResetEvent event, String pool, String arena, long used, ResetReport report) {
        event.end(); // without it shouldCommit() sees no duration and the threshold drops every event
        if (event.shouldCommit()) {
            event.pool = pool;
            event.arena = arena;
            event.strategy = report.strategy().name();
            event.bytesUsed = used;
            event.bytesZeroed = report.bytesZeroed();
            event.bytesDecommitted = report.bytesDecommitted();
            event.regions = report.regions();
            event.commit();
        }
    }

    /** Commits an allocation failure, if enabled. */
    public static void allocationFailure(String message, long byteSize, long byteAlignment, long remaining) {
        AllocationFailureEvent event = new AllocationFailureEvent();
        if (event.shouldCommit()) {
            event.message = message;
            event.byteSize = byteSize;
            event.byteAlignment = byteAlignment;
            event.remaining = remaining;
            event.commit();
        }
    }

    /** Commits a leak report, if enabled; {@code site} may be {@code null}. */
    public static void leak(int blocks, long bytes, StackTraceElement[] site) {
        LeakEvent event = new LeakEvent();
        if (event.shouldCommit()) {
            event.blocks = blocks;
            event.bytes = bytes;
            event.site = site == null ? ""
                    : Arrays.stream(site).map(StackTraceElement::toString).collect(Collectors.joining(" <- "));
            event.commit();
        }
    }

    /** Commits a watermark crossing, if enabled. */
    public static void watermark(String watermark, String level, long threshold, boolean rising, long bytesLive) {
        WatermarkEvent event = new WatermarkEvent();
        if (event.shouldCommit()) {
            event.watermark = watermark;
            event.level = level;
            event.threshold = threshold;
            event.rising = rising;
            event.bytesLive = bytesLive;
            event.commit();
        }
    }
}
