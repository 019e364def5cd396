package dev.pagewise.os.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Threshold;

/**
 * A lease found every slot taken and waited. On by default for waits of 1 ms or more; a lease that finds a
 * free slot never creates one.
 */
@Name("dev.pagewise.LeaseWait")
@Label("Lease Wait")
@Category("Pagewise")
@Description("A lease waited for a free slot of its pool")
@Threshold("1 ms")
public final class LeaseWaitEvent extends jdk.jfr.Event {

    @Label("Pool")
    public String pool;

    @Label("Leased")
    @Description("True if the wait ended with a slot, false if the pool stayed exhausted")
    public boolean leased;

    /** An event whose duration the caller starts with {@code begin()}. */
    public LeaseWaitEvent() {
    }
}
