package dev.pagewise.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ServerReportTest {

    private static final double SLO = 20;

    /** A step of workload json whose p99 (5 or 50 ms) passes or fails the SLO. */
    private static ServerReport.Step step(int round, String allocator, double offered, boolean pass) {
        RateLoad.Step load = new RateLoad.Step(offered, offered * 0.99, 1, 2, pass ? 5 : 50, 60, 70, 4000, 0, 0, 200, (allocator.equals("jdk") ? 200 : 100) + offered / 100);
        return ServerReport.Step.parse(round + ",json," + allocator + "," + load.csv(SLO), SLO);
    }

    @Test
    void aStepReadsBackWhatRateLoadWroteAndIsJudgedAtTheReportsSlo() {
        RateLoad.Step load = new RateLoad.Step(5000, 4990.5, 0.25, 0.5, 12.5, 30.25, 41.5, 20000, 0, 0, 237.5, 131.25);
        ServerReport.Step s = ServerReport.Step.parse("2,csv,pagewise," + load.csv(20), 20);
        assertEquals(new ServerReport.Step(2, "csv", "pagewise", load, true), s);
        assertEquals(false, ServerReport.Step.parse("2,csv,pagewise," + load.csv(20), 10).pass(), "p99 12.5 > 10 ms");
        assertEquals(ServerReport.Step.HEADER.split(",").length, ("2,csv,pagewise," + load.csv(20)).split(",").length);
        assertThrows(IllegalArgumentException.class, () -> ServerReport.Step.parse("2,csv,pagewise,5000,4990.5", 20));
        assertThrows(IllegalArgumentException.class, () -> RateLoad.Step.parse(load.csv(20).replace("4990.5", "x")));
    }

    @Test
    void aBorderlineStepShouldBeJudgedAsTheRunJudgedIt() {
        // 949.96 of 1,000 offered misses the 95% share by 0.04; written with one decimal it would read 950.0
        RateLoad.Step short_ = new RateLoad.Step(1000, 949.96, 1, 2, 3, 4, 5, 9000, 0, 0, 100, 120.04);
        RateLoad.Step read = RateLoad.Step.parse(short_.csv(SLO));
        assertEquals(short_, read, "the step reads back as it was judged");
        assertEquals(short_.passes(SLO), read.passes(SLO));
        // a p99 of 20.0004 ms against a 20 ms SLO: the run and the report must agree on it as well
        RateLoad.Step slow = new RateLoad.Step(1000, 990, 1, 2, 20.0004, 30, 40, 9000, 0, 0, 100, Double.NaN);
        assertEquals(slow.passes(SLO), RateLoad.Step.parse(slow.csv(SLO)).passes(SLO));
        assertEquals(slow, RateLoad.Step.parse(slow.csv(SLO)));
    }

    @Test
    void sustainedIsTheHighestPassingStepOfEachRound() {
        List<ServerReport.Step> steps = List.of(step(1, "jdk", 400, true), step(1, "jdk", 500, false),
                step(1, "jdk", 630, true), step(1, "jdk", 800, false), step(2, "jdk", 400, true),
                step(2, "jdk", 500, false), step(1, "pagewise", 400, true));
        ServerReport.Sustained s = ServerReport.sustained(steps, "json", "jdk");
        assertEquals(List.of(630.0, 400.0), s.best().stream().map(ServerReport.Step::offered).toList());
        assertEquals(396.0, s.min());
        assertEquals(623.7, s.max());
        assertEquals(ServerReport.sustained(steps, "csv", "jdk").best(), List.of());
    }

    /** What an allocator sustained: in each round, a passing step at {@code rates[round - 1]} and a failure above it. */
    private static ServerReport.Sustained sustained(String allocator, double... rates) {
        List<ServerReport.Step> steps = new java.util.ArrayList<>();
        for (int r = 1; r <= rates.length; r++) {
            steps.add(step(r, allocator, rates[r - 1], true));
            steps.add(step(r, allocator, rates[r - 1] * 1.25, false));
        }
        return ServerReport.sustained(steps, "json", allocator);
    }

    @Test
    void aTargetIsJudgedOnTheRangeOverRounds() {
        ServerReport.Sustained jdk = sustained("jdk", 1000, 1100);
        ServerReport.Sustained clear = sustained("pagewise", 2500, 2300);
        ServerReport.Sustained straddles = sustained("pagewise", 2500, 2100);
        ServerReport.Sustained short_ = sustained("pagewise", 1500, 1900);
        assertEquals(false, jdk.capped());
        assertEquals(Verdict.MET, ServerReport.verdict(clear, jdk, 2.0));
        assertEquals(Verdict.INCONCLUSIVE, ServerReport.verdict(straddles, jdk, 2.0));
        assertEquals(Verdict.MISSED, ServerReport.verdict(short_, jdk, 2.0));
        assertEquals(Verdict.NOT_MEASURED, ServerReport.verdict(ServerReport.sustained(List.of(), "json", "pagewise"), jdk, 2.0));
    }

    @Test
    void aRateAtTheTopOfTheLadderIsALowerBound() {
        List<ServerReport.Step> steps = List.of(step(1, "jdk", 1000, true), step(1, "jdk", 1250, false),
                step(1, "pagewise", 2000, true), step(1, "pagewise", 3000, true));
        ServerReport.Sustained pw = ServerReport.sustained(steps, "json", "pagewise");
        ServerReport.Sustained jdk = ServerReport.sustained(steps, "json", "jdk");
        assertEquals(true, pw.capped());
        assertEquals(false, jdk.capped());
        assertEquals(Verdict.MET, ServerReport.verdict(pw, jdk, 2.0));
        assertEquals(Verdict.INCONCLUSIVE, ServerReport.verdict(pw, jdk, 4.0), "3x measured, but pagewise may do more");
        assertEquals(Verdict.INCONCLUSIVE, ServerReport.verdict(jdk, pw, 0.2), "jdk / capped pagewise");
    }

    @Test
    void aStepsFileFromBeforeTheCpuColumnStillReadsWithItsCpuTimeUnknown() {
        String old = "1,csv,jdk,8000,7998.6,0.300,0.500,1.140,2.000,3.000,32000,0,0,222.6,true";
        ServerReport.Step s = ServerReport.Step.parse(old, SLO);
        assertEquals(7998.6, s.achieved());
        assertEquals(222.6, s.load().rssMib());
        assertEquals(Double.NaN, s.load().cpuMicros());
        assertEquals(true, s.pass());
        assertEquals(ServerReport.Step.HEADER_WITHOUT_CPU.split(",").length, old.split(",").length);
        assertThrows(IllegalArgumentException.class, () -> RateLoad.Step.parse("8000,7998.6,0.3,0.5,1.1,2,3,32000,0,0,true"));
        ServerReport.Sustained jdk = ServerReport.sustained(List.of(s), "csv", "jdk");
        assertEquals(Double.NaN, jdk.median(t -> t.load().cpuMicros()), "unknown, not 0");
        assertEquals(222.6, jdk.median(t -> t.load().rssMib()));
    }

    @Test
    void cpuIsComparedAtTheHighestRateEveryAllocatorPassedInEachRound() {
        // round 1: jdk passes 400 and 630, pagewise 400, 630 and 800: 630 is common; round 2: only 400 is
        List<ServerReport.Step> steps = List.of(step(1, "jdk", 400, true), step(1, "jdk", 630, true),
                step(1, "jdk", 800, false), step(1, "pagewise", 400, true), step(1, "pagewise", 630, true),
                step(1, "pagewise", 800, true), step(2, "jdk", 400, true), step(2, "jdk", 630, false),
                step(2, "pagewise", 400, true), step(2, "pagewise", 630, true), step(3, "jdk", 400, false),
                step(3, "pagewise", 400, true), step(1, "jdk", 715, true), step(1, "pagewise", 716, true));
        ServerReport.CommonRate common = ServerReport.cpuAtCommonRate(steps, "json", List.of("pagewise", "jdk"));
        assertEquals(List.of(630.0, 400.0), common.rates(), "round 3 has no rate both passed; bisected rates differ");
        assertEquals(List.of(106.3, 104.0), common.cpuMicros().get("pagewise"));
        assertEquals(List.of(206.3, 204.0), common.cpuMicros().get("jdk"));
        assertEquals(List.of("pagewise", "jdk"), List.copyOf(common.cpuMicros().keySet()), "in the report's order");
        assertEquals(2.5, ServerReport.median(new double[] {1, 2, 3, 4}));
        assertEquals(Double.NaN, ServerReport.median(new double[0]));
    }
}
