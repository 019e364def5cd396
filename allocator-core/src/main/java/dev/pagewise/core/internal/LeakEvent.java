package dev.pagewise.core.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** Leak tracking found blocks still live when their allocator closed. Always on: it fires once per close at most. */
@Name("dev.pagewise.Leak")
@Label("Leak")
@Category("Pagewise")
@Description("Blocks were still allocated when their allocator closed")
@StackTrace(false)
public final class LeakEvent extends jdk.jfr.Event {

    @Label("Blocks")
    int blocks;

    @Label("Bytes")
    @DataAmount
    long bytes;

    @Label("First Site")
    @Description("Where one leaked block was allocated, if leak tracking recorded it")
    String site;

    LeakEvent() {
    }
}
