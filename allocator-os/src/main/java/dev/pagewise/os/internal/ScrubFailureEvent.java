package dev.pagewise.os.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A pool's reset of a returned slot failed; its duration runs from the reset's start to the fallback's end. Always on. */
@Name("dev.pagewise.ScrubFailure")
@Label("Scrub Failure")
@Category("Pagewise")
@Description("Resetting a returned slot failed: the slot was zeroed in place, or retired")
public final class ScrubFailureEvent extends jdk.jfr.Event {

    @Label("Pool")
    public String pool;

    @Label("Slot")
    public int slot;

    @Label("Policy")
    public String policy;

    @Label("Error")
    public String error;

    @Label("Retired")
    @Description("True if the slot could not even be zeroed and left service")
    public boolean retired;

    /** An event whose duration the caller starts with {@code begin()}. */
    public ScrubFailureEvent() {
    }
}
