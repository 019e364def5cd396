package dev.pagewise.tests;

import dev.pagewise.core.AllocationFailedException;
import dev.pagewise.core.BumpArena;
import dev.pagewise.core.FixedRange;
import dev.pagewise.core.LeakTracking;
import dev.pagewise.core.ResetPolicy;
import dev.pagewise.core.ResetReport;
import dev.pagewise.core.Slab;
import dev.pagewise.core.Statistics;
import dev.pagewise.core.Watermark;
import dev.pagewise.os.ArenaPool;
import dev.pagewise.os.PoolExhaustedException;
import dev.pagewise.os.RequestArena;
import dev.pagewise.os.linux.MmapBacked;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

import javax.management.InstanceNotFoundException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.TabularData;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an operator sees: JFR events in the JDK's default recording, the MXBeans, the start-up log line. */
class ObservabilityTest {

    /** A reset policy that always fails, to make the pool's scrub fail. */
    private static final ResetPolicy FAILING = new ResetPolicy() {
        @Override
        public ResetReport reset(FixedRange region, long offset, long length) {
            throw new IllegalStateException("this policy always fails");
        }

        @Override
        public String toString() {
            return "failing";
        }
    };

    @Test
    void theDefaultRecordingShouldSeeFailuresWaitsLeaksScrubFailuresAndWatermarksWithNamesAndDurations() throws Exception {
        List<RecordedEvent> events = record(Configuration.getConfiguration("default"), () -> {
            try (ArenaPool pool = ArenaPool.builder(1, 64 << 10).name("orders")
                    .leaseTimeout(Duration.ofMillis(30)).build();
                 RequestArena request = pool.lease()) {
                assertThrows(AllocationFailedException.class, () -> request.allocate(1 << 20));
                assertThrows(PoolExhaustedException.class, pool::lease);
            }
            try (MmapBacked range = MmapBacked.map(1 << 20)) {
                Slab slab = Slab.over(range, 128, LeakTracking.paranoid());
                slab.allocate(100);
                slab.close();
            }
            try (ArenaPool failing = ArenaPool.builder(1, 64 << 10).name("failing").resetPolicy(FAILING).build()) {
                failing.lease().close();
            }
            try (MmapBacked range = MmapBacked.map(1 << 20);
                 BumpArena arena = BumpArena.builder(range)
                         .listener(Watermark.builder("requests").level("high", 1000).build()).build()) {
                arena.allocate(1000);
            }
        });

        RecordedEvent failure = only(events, "dev.pagewise.AllocationFailure");
        assertTrue(failure.getString("message").startsWith("orders slot 0: cannot allocate 1.0 MiB"), failure.getString("message"));
        assertEquals(1 << 20, failure.getLong("byteSize"));

        RecordedEvent wait = only(events, "dev.pagewise.LeaseWait");
        assertEquals("orders", wait.getString("pool"));
        assertFalse(wait.getBoolean("leased"));
        assertTrue(wait.getDuration().toMillis() >= 30, "waited the lease timeout: " + wait.getDuration());

        RecordedEvent exhausted = only(events, "dev.pagewise.PoolExhausted");
        assertEquals("orders", exhausted.getString("pool"));
        assertEquals(1, exhausted.getInt("slots"));
        assertTrue(exhausted.getDuration().toMillis() >= 30, "its duration is the wait: " + exhausted.getDuration());

        RecordedEvent leak = only(events, "dev.pagewise.Leak");
        assertEquals(1, leak.getInt("blocks"));
        assertEquals(100, leak.getLong("bytes"));
        assertTrue(leak.getString("site").contains("ObservabilityTest"), leak.getString("site"));

        List<RecordedEvent> watermark = events.stream()
                .filter(e -> e.getEventType().getName().equals("dev.pagewise.Watermark")).toList();
        assertEquals(2, watermark.size(), "reached, then fallen from as the arena closed: " + watermark);
        assertEquals("requests", watermark.getFirst().getString("watermark"));
        assertEquals("high", watermark.getFirst().getString("level"));
        assertTrue(watermark.getFirst().getBoolean("rising"));
        assertEquals(1000, watermark.getFirst().getLong("bytesLive"));
        assertFalse(watermark.getLast().getBoolean("rising"));
        assertEquals(0, watermark.getLast().getLong("bytesLive"));

        RecordedEvent scrub = only(events, "dev.pagewise.ScrubFailure");
        assertEquals("failing", scrub.getString("pool"));
        assertEquals("failing", scrub.getString("policy"));
        assertTrue(scrub.getString("error").contains("always fails"));
        assertFalse(scrub.getBoolean("retired"), "zeroed in place, not retired");
    }

    @Test
    void resetEventsShouldNameTheirPoolAndSlotAndLastAsLongAsTheReset() throws Exception {
        Recording settings = new Recording();
        settings.enable("dev.pagewise.Reset").withThreshold(Duration.ZERO);
        List<RecordedEvent> events = record(settings, () -> {
            try (ArenaPool pool = ArenaPool.builder(2, 1 << 20).name("resets").build();
                 RequestArena request = pool.lease()) {
                request.allocate(200_000).fill((byte) 1);
            }
            try (MmapBacked range = MmapBacked.map(1 << 20);
                 BumpArena arena = BumpArena.builder(range).name("mine").build()) {
                arena.allocate(300_000).fill((byte) 1);
                arena.reset();
            }
        });
        List<RecordedEvent> resets = events.stream().filter(e -> e.getEventType().getName().equals("dev.pagewise.Reset")).toList();
        assertEquals(2, resets.size(), resets::toString);
        RecordedEvent slot = resets.stream().filter(e -> e.getString("pool").equals("resets")).findFirst().orElseThrow();
        assertTrue(slot.getString("arena").matches("resets slot [01]"), slot.getString("arena"));
        assertEquals(200_000, slot.getLong("bytesUsed"));
        RecordedEvent own = resets.stream().filter(e -> e.getString("arena").equals("mine")).findFirst().orElseThrow();
        assertEquals("", own.getString("pool"));
        assertEquals(300_000, own.getLong("bytesUsed"));
        assertTrue(own.getLong("bytesZeroed") + own.getLong("bytesDecommitted") >= 300_000, own::toString);
        assertTrue(own.getDuration().toNanos() > 0, "the event's own duration covers the reset");
    }

    @Test
    void aPoolShouldRegisterItsMXBeanOnRequestAndUnregisterItWhenItCloses() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("dev.pagewise:type=ArenaPool,name=\"jmx pool\"");
        try (ArenaPool pool = ArenaPool.builder(4, 64 << 10).name("jmx pool").registerMBean().build()) {
            try (RequestArena request = pool.lease()) {
                request.allocate(10_000).fill((byte) 1);
                assertEquals(1, server.getAttribute(name, "Leased"));
                assertEquals(3, server.getAttribute(name, "Free"));
            }
            assertEquals("jmx pool", server.getAttribute(name, "Name"));
            assertEquals(4, server.getAttribute(name, "Slots"));
            assertEquals(1L, server.getAttribute(name, "Leases"));
            assertTrue((Long) server.getAttribute(name, "ResidentBytes") >= 0);
            TabularData byStrategy = (TabularData) server.getAttribute(name, "ResetsByStrategy");
            assertEquals(1, byStrategy.size(), byStrategy::toString);

            Logger logger = Logger.getLogger(ArenaPool.class.getName());
            List<LogRecord> records = new ArrayList<>();
            Handler handler = collecting(records);
            logger.addHandler(handler);
            IllegalStateException taken;
            try {
                taken = assertThrows(IllegalStateException.class,
                        () -> ArenaPool.builder(1, 64 << 10).name("jmx pool").registerMBean().build());
            } finally {
                logger.removeHandler(handler);
            }
            assertTrue(taken.getMessage().contains("registered already"), taken.getMessage());
            assertEquals(List.of(), records, "a refused pool never logs that it started");
            assertEquals(4, server.getAttribute(name, "Slots"), "the first pool's bean stays");
        }
        assertThrows(InstanceNotFoundException.class, () -> server.getAttribute(name, "Slots"));
    }

    @Test
    void statisticsShouldShowTheirCountersOverJmx() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Statistics statistics = Statistics.create();
        ObjectName name = statistics.registerMBean("requests");
        try (MmapBacked range = MmapBacked.map(1 << 20);
             BumpArena arena = BumpArena.builder(range).listener(statistics).build()) {
            arena.allocate(1000);
            arena.allocate(24);
            assertEquals(ObjectName.getInstance("dev.pagewise:type=Statistics,name=\"requests\""), name);
            assertEquals(2L, server.getAttribute(name, "Allocations"));
            assertEquals(1024L, server.getAttribute(name, "BytesLive"));
            arena.reset();
            assertEquals(0L, server.getAttribute(name, "BytesLive"));
            assertEquals(1024L, server.getAttribute(name, "PeakBytes"));
        } finally {
            server.unregisterMBean(name);
        }
    }

    @Test
    void aPoolShouldLogItsResolvedSettingsOnceWhenItStarts() {
        Logger logger = Logger.getLogger(ArenaPool.class.getName());
        List<LogRecord> records = new ArrayList<>();
        Handler handler = collecting(records);
        logger.addHandler(handler);
        try (ArenaPool pool = ArenaPool.builder(3, 100_000).name("logged").build()) {
            assertEquals(1, records.size());
            LogRecord start = records.getFirst();
            assertEquals(Level.INFO, start.getLevel());
            String line = java.text.MessageFormat.format(start.getMessage(), start.getParameters());
            assertTrue(line.startsWith("ArenaPool logged [3 x 128.0 KiB] started over "), line);
            assertTrue(line.contains("reset policy " + ResetPolicy.defaultPolicy()), line);
            assertTrue(line.contains("lease timeout PT0S") && line.contains("scrub inline"), line);
        } finally {
            logger.removeHandler(handler);
        }
    }

    private static Handler collecting(List<LogRecord> records) {
        return new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
    }

    private static RecordedEvent only(List<RecordedEvent> events, String name) {
        List<RecordedEvent> matching = events.stream().filter(e -> e.getEventType().getName().equals(name)).toList();
        assertEquals(1, matching.size(), () -> name + ": " + matching);
        return matching.getFirst();
    }

    private static List<RecordedEvent> record(Configuration configuration, Runnable work) throws Exception {
        return record(new Recording(configuration), work);
    }

    private static List<RecordedEvent> record(Recording recording, Runnable work) throws Exception {
        Path file = Files.createTempFile("pagewise", ".jfr");
        try (recording) {
            recording.start();
            work.run();
            recording.stop();
            recording.dump(file);
            return RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().startsWith("dev.pagewise.")).toList();
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
