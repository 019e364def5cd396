package dev.pagewise.core.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * An arena or pool slot restored its used memory to zero. On by default for resets of 1 ms or more: a
 * server resets once per request, and recording every microsecond reset would cost more than it tells.
 */
@Name("dev.pagewise.Reset")
@Label("Arena Reset")
@Category("Pagewise")
@Description("An arena or pool slot restored its used memory to zero")
@Threshold("1 ms")
@StackTrace(false)
public final class ResetEvent extends jdk.jfr.Event {

    @Label("Pool")
    @Description("The pool whose slot was reset, or empty for an arena of its own")
    String pool;

    @Label("Arena")
    String arena;

    @Label("Strategy")
    String strategy;

    @Label("Bytes Used")
    @DataAmount
    long bytesUsed;

    @Label("Bytes Zeroed")
    @DataAmount
    long bytesZeroed;

    @Label("Bytes Decommitted")
    @DataAmount
    long bytesDecommitted;

    @Label("Regions")
    int regions;

    ResetEvent() {
    }
}
