package dev.pagewise.os.internal;

import java.util.Map;
import java.util.TreeMap;

/**
 * The pages of a region whose protection is not READ_WRITE, as runs of offsets. A backing records every
 * {@code protect} here and asks before it writes zeros or releases pages, so that a reset never faults
 * on a page that a protect call made read-only or inaccessible. Thread-safe; the common case, no
 * restricted page at all, costs one volatile read.
 */
public final class RestrictedPages {

    /** Start offset to end offset; guarded by {@code this}. */
    private final TreeMap<Long, Long> runs = new TreeMap<>();
    private volatile boolean any;
    private final String state;

    /** Pages that {@code protect} restricted: the message asks to make them READ_WRITE again. */
    public RestrictedPages() {
        this("is protected; make it READ_WRITE again first");
    }

    /**
     * Pages restricted for another reason.
     *
     * @param state what {@link #checkWritable} says of a restricted page: {@code "is a guard page; unguard it first"}
     */
    public RestrictedPages(String state) {
        this.state = state;
    }

    /** Records {@code [from, to)} as restricted, or as READ_WRITE again, merging and splitting runs. */
    public synchronized void mark(long from, long to, boolean restricted) {
        Map.Entry<Long, Long> before = runs.lowerEntry(from);
        if (before != null && before.getValue() > from) {
            runs.put(before.getKey(), from);
            if (before.getValue() > to) {
                runs.put(to, before.getValue());
            }
        }
        Map.Entry<Long, Long> run;
        while ((run = runs.ceilingEntry(from)) != null && run.getKey() < to) {
            runs.remove(run.getKey());
            if (run.getValue() > to) {
                runs.put(to, run.getValue());
            }
        }
        if (restricted && to > from) {
            runs.put(from, to);
        }
        any = !runs.isEmpty();
    }

    /**
     * Checks that no page of {@code [offset, offset + length)} is restricted.
     *
     * @throws IllegalStateException naming the operation, the region and the first restricted offset
     */
    public void checkWritable(long offset, long length, String operation, Object region) {
        if (!any || length == 0) {
            return;
        }
        synchronized (this) {
            Map.Entry<Long, Long> run = runs.lowerEntry(offset + length);
            if (run != null && run.getValue() > offset) {
                throw new IllegalStateException(operation + "(" + offset + ", " + length + ") of " + region
                        + ": the page at offset " + Math.max(offset, run.getKey())
                        + " " + state);
            }
        }
    }
}
