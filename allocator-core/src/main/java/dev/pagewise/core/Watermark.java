package dev.pagewise.core;

import dev.pagewise.core.internal.ByteSizes;
import dev.pagewise.core.internal.Events;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Watches an allocator's live bytes against levels, with hysteresis: when the live bytes reach a level, the
 * handler hears a rising {@link Crossing}; it hears the falling one only when they drop below the level minus
 * the hysteresis, so an allocator hovering at a level does not flap. Each crossing is also a
 * {@code dev.pagewise.Watermark} JFR event (on by default: crossings are rare by construction).
 *
 * <p>An {@link AllocationListener}: attach it when building the allocator, alone or with others through
 * {@link AllocationListener#of}. Thread-safe: live bytes are counted with one atomic add per allocation and
 * free; only a crossing takes a lock. The handler runs on the thread whose allocation, free or reset crossed
 * the level, in the order the crossings happen, so it must be quick and must not allocate from the allocator.
 *
 * {@snippet lang=java :
 * Watermark watermark = Watermark.builder("orders")
 *         .level("high", 48 << 20)
 *         .level("critical", 60 << 20)
 *         .hysteresis(4 << 20)
 *         .onCrossing(crossing -> System.err.println(crossing))
 *         .build();
 * BumpArena arena = BumpArena.builder(range).listener(watermark).build();
 * }
 */
public final class Watermark implements AllocationListener {

    /**
     * One crossing of one level.
     *
     * @param watermark the watermark's name
     * @param level     the level's name
     * @param threshold the level, in bytes
     * @param rising    {@code true} when the live bytes reached the level, {@code false} when they fell below
     *                  it minus the hysteresis
     * @param bytesLive the live bytes just after the crossing
     */
    public record Crossing(String watermark, String level, long threshold, boolean rising, long bytesLive) {
        @Override
        public String toString() {
            return watermark + (rising ? " reached " : " fell below ") + level + " (" + ByteSizes.format(threshold)
                    + "): " + ByteSizes.format(bytesLive) + " live";
        }
    }

    private final String name;
    private final String[] levelNames;
    private final long[] thresholds;
    private final long hysteresis;
    private final Consumer<? super Crossing> handler;
    private final AtomicLong live = new AtomicLong();
    /** Index of the highest level reached, or -1; changed only under the lock. */
    private int reached = -1;
    /** The live bytes at which the next rising or falling crossing happens: the fast path reads only these. */
    private volatile long nextUp;
    private volatile long nextDown;

    private Watermark(Builder b) {
        this.name = b.name;
        this.levelNames = b.names.toArray(String[]::new);
        this.thresholds = b.thresholds.stream().mapToLong(Long::longValue).toArray();
        this.hysteresis = b.hysteresis;
        this.handler = b.handler;
        this.nextUp = thresholds[0];
        this.nextDown = Long.MIN_VALUE;
    }

    /**
     * {@return a builder for a watermark named {@code name}, in its crossings and JFR events}
     *
     * @param name the watermark's name
     * @throws NullPointerException if {@code name} is {@code null}
     */
    public static Builder builder(String name) {
        return new Builder(Objects.requireNonNull(name, "name"));
    }

    /** Configures a {@link Watermark}: at least one level, in increasing order. */
    public static final class Builder {
        private final String name;
        private final List<String> names = new ArrayList<>();
        private final List<Long> thresholds = new ArrayList<>();
        private long hysteresis;
        private Consumer<? super Crossing> handler = crossing -> { };

        private Builder(String name) {
            this.name = name;
        }

        /**
         * Adds a level, above those added before.
         *
         * @param levelName the level's name
         * @param bytes     the live bytes that reach it
         * @return this builder
         * @throws NullPointerException if {@code levelName} is {@code null}
         * @throws IllegalArgumentException if {@code bytes} is not positive or not above the previous level
         */
        public Builder level(String levelName, long bytes) {
            Objects.requireNonNull(levelName, "levelName");
            if (bytes <= 0) {
                throw new IllegalArgumentException("bytes must be positive: " + bytes);
            }
            if (!thresholds.isEmpty() && bytes <= thresholds.getLast()) {
                throw new IllegalArgumentException("level " + levelName + " (" + bytes + " bytes) is not above level "
                        + names.getLast() + " (" + thresholds.getLast() + " bytes)");
            }
            names.add(levelName);
            thresholds.add(bytes);
            return this;
        }

        /**
         * Sets how far below a level the live bytes must fall before the falling crossing; default 0.
         *
         * @param bytes the hysteresis
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is negative
         */
        public Builder hysteresis(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("bytes must not be negative: " + bytes);
            }
            this.hysteresis = bytes;
            return this;
        }

        /**
         * Sets who hears each crossing; default none (the JFR event only).
         *
         * @param handler called with each crossing, on the thread that caused it
         * @return this builder
         * @throws NullPointerException if {@code handler} is {@code null}
         */
        public Builder onCrossing(Consumer<? super Crossing> handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * {@return the watermark}
         *
         * @throws IllegalStateException if no level was added
         * @throws IllegalArgumentException if the hysteresis is not below the lowest level (it could never be left)
         */
        public Watermark build() {
            if (thresholds.isEmpty()) {
                throw new IllegalStateException("a watermark needs at least one level");
            }
            if (hysteresis >= thresholds.getFirst()) {
                throw new IllegalArgumentException("hysteresis " + hysteresis + " is not below the lowest level, "
                        + names.getFirst() + " (" + thresholds.getFirst() + " bytes)");
            }
            return new Watermark(this);
        }
    }

    @Override
    public void onAllocation(MemorySegment segment) {
        moved(live.addAndGet(segment.byteSize()));
    }

    @Override
    public void onRelease(MemorySegment segment) {
        moved(live.addAndGet(-segment.byteSize()));
    }

    /** {@inheritDoc} Here: live bytes move by the difference, so a resize crosses a level at most once. */
    @Override
    public void onResize(MemorySegment segment, MemorySegment resized) {
        moved(live.addAndGet(resized.byteSize() - segment.byteSize()));
    }

    @Override
    public void onReset() {
        live.set(0);
        moved(0);
    }

    private void moved(long now) {
        if (now >= nextUp || now < nextDown) {
            cross();
        }
    }

    private synchronized void cross() {
        long now = live.get();
        while (reached + 1 < thresholds.length && now >= thresholds[reached + 1]) {
            reached++;
            report(reached, true, now);
        }
        while (reached >= 0 && now < thresholds[reached] - hysteresis) {
            report(reached, false, now);
            reached--;
        }
        nextUp = reached + 1 < thresholds.length ? thresholds[reached + 1] : Long.MAX_VALUE;
        nextDown = reached >= 0 ? thresholds[reached] - hysteresis : Long.MIN_VALUE;
    }

    private void report(int level, boolean rising, long now) {
        Events.watermark(name, levelNames[level], thresholds[level], rising, now);
        handler.accept(new Crossing(name, levelNames[level], thresholds[level], rising, now));
    }

    /** {@return the live bytes now} */
    public long bytesLive() {
        return live.get();
    }

    /** {@return the name of the highest level reached and not yet fallen from, or {@code null} if none} */
    public synchronized String level() {
        return reached < 0 ? null : levelNames[reached];
    }

    @Override
    public String toString() {
        return "Watermark[" + name + ", " + ByteSizes.format(live.get()) + " live, level " + level() + "]";
    }
}
