package dev.pagewise.core;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A JFR event per arena reset, disabled by default: enable {@code dev.pagewise.Reset} in a JFR
 * configuration to see resets in JDK Mission Control.
 */
@Name("dev.pagewise.Reset")
@Label("Arena Reset")
@Category({"Pagewise", "Memory"})
@Description("An arena restored its used memory to zero")
@Enabled(false)
@StackTrace(false)
public final class ResetEvent extends jdk.jfr.Event {

    /** The name of the {@link ResetStrategy} that ran. */
    @Label("Strategy")
    public String strategy;

    /** The bytes, from the start of the range, that the reset restored. */
    @Label("Bytes Used")
    @DataAmount
    public long bytesUsed;

    /** The bytes written with zeros, as {@link ResetReport#bytesZeroed()}. */
    @Label("Bytes Zeroed")
    @DataAmount
    public long bytesZeroed;

    /** The bytes returned to the operating system, as {@link ResetReport#bytesDecommitted()}. */
    @Label("Bytes Decommitted")
    @DataAmount
    public long bytesDecommitted;

    /** The contiguous regions zeroed or decommitted, as {@link ResetReport#regions()}. */
    @Label("Regions")
    public int regions;

    /** The wall-clock time the reset took, in nanoseconds, as {@link ResetReport#nanos()}. */
    @Label("Reset Time")
    @Timespan
    public long nanos;

    /** Creates an event; fields are set by the arena that emits it. */
    public ResetEvent() {
    }
}
