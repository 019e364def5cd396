package dev.pagewise.core.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A watermark's live bytes crossed one of its levels. Always on: hysteresis keeps crossings rare. */
@Name("dev.pagewise.Watermark")
@Label("Watermark Crossing")
@Category("Pagewise")
@Description("An allocator's live bytes reached a watermark level, or fell back below it")
@StackTrace(false)
public final class WatermarkEvent extends jdk.jfr.Event {

    @Label("Watermark")
    String watermark;

    @Label("Level")
    String level;

    @Label("Threshold")
    @DataAmount
    long threshold;

    @Label("Rising")
    boolean rising;

    @Label("Bytes Live")
    @DataAmount
    long bytesLive;

    WatermarkEvent() {
    }
}
