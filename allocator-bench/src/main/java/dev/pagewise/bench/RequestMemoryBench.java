package dev.pagewise.bench;

import dev.pagewise.os.ArenaPool;
import dev.pagewise.os.RequestArena;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The memory of one request of the server's csv workload and nothing else: a 26 KiB body copied in, three
 * columns of 2,000 rows (8, 4 and 8 bytes a row) written, a short answer; then the memory is given back. From
 * a lease of an {@link ArenaPool} of 64 slots, as the server's (reset on close), and from a JDK confined arena. The server's csv target
 * (parity with the JDK arena) rests on this difference, which a request's other work hides in the load test.
 * The {@code *OneAllocation} pair is the fixed cost of a request's memory: one 64 B allocation between taking
 * the memory and giving it back.
 */
@State(Scope.Thread)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RequestMemoryBench extends BenchDefaults {

    static final int BODY = 26 << 10;
    static final int ROWS = 2000;
    /** Requests open at once in the {@code *EightInFlight} variants: each op opens one, then ends the oldest if that makes this many. */
    static final int IN_FLIGHT = 8;

    private final byte[] body = new byte[BODY];
    private final ArrayDeque<Arena> inFlight = new ArrayDeque<>();
    private ArenaPool pool;

    @Setup
    public void setup() {
        java.util.Arrays.fill(body, (byte) '7');
        pool = ArenaPool.builder(64, 4 << 20).leaseTimeout(Duration.ofSeconds(5)).build();
    }

    @TearDown
    public void tearDown() {
        while (!inFlight.isEmpty()) {
            inFlight.poll().close();
        }
        pool.close();
    }

    private long request(SegmentAllocator memory) {
        MemorySegment in = memory.allocate(BODY, 8);
        MemorySegment.copy(body, 0, in, JAVA_BYTE, 0, BODY);
        MemorySegment ids = memory.allocate(8L * ROWS, 8).fill((byte) 1);
        MemorySegment quantities = memory.allocate(4L * ROWS, 4).fill((byte) 2);
        MemorySegment prices = memory.allocate(8L * ROWS, 8).fill((byte) 3);
        MemorySegment answer = memory.allocateFrom("{\"rows\":2000,\"quantity\":1,\"value\":1.00,\"top\":1}");
        return in.address() + ids.address() + quantities.address() + prices.address() + answer.address();
    }

    @Benchmark
    public long poolLease() {
        try (RequestArena arena = pool.lease()) {
            return request(arena);
        }
    }

    @Benchmark
    public long jdkConfinedArena() {
        try (Arena arena = Arena.ofConfined()) {
            return request(arena);
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long poolLeaseOneAllocation() {
        try (RequestArena arena = pool.lease()) {
            return arena.allocate(64, 8).address();
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long jdkConfinedArenaOneAllocation() {
        try (Arena arena = Arena.ofConfined()) {
            return arena.allocate(64, 8).address();
        }
    }

    /**
     * As a server with several requests in flight: the memory of each op's request is given back 7 ops later,
     * so {@value #IN_FLIGHT} are open while a request runs and this thread's last slot is never free to lease.
     */
    @Benchmark
    public long poolLeaseEightInFlight() {
        return inFlight(pool.lease());
    }

    @Benchmark
    public long jdkConfinedArenaEightInFlight() {
        return inFlight(Arena.ofConfined());
    }

    private long inFlight(Arena arena) {
        long result = request(arena);
        inFlight.add(arena);
        if (inFlight.size() >= IN_FLIGHT) {
            inFlight.poll().close();
        }
        return result;
    }
}
