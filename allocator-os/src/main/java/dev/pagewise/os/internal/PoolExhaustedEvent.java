package dev.pagewise.os.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

/** A lease failed with {@code PoolExhaustedException}; its duration is how long it waited. Always on. */
@Name("dev.pagewise.PoolExhausted")
@Label("Pool Exhausted")
@Category("Pagewise")
@Description("A lease found no free slot within the pool's lease timeout")
public final class PoolExhaustedEvent extends jdk.jfr.Event {

    @Label("Pool")
    public String pool;

    @Label("Slots")
    public int slots;

    @Label("Retired")
    @Description("Slots taken out of service because they could not be zeroed")
    public int retired;

    /** An event whose duration the caller starts with {@code begin()}. */
    public PoolExhaustedEvent() {
    }
}
