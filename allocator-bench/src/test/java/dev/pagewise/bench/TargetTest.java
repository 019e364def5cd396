package dev.pagewise.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Verdicts come from intervals: a point estimate that meets a target with an interval that straddles it is no verdict. */
class TargetTest {

    private static Result time(String name, double score, double error) {
        return new Result("dev.pagewise.bench." + name, "avgt", 1, 2, 5, score, error, score - error, score + error,
                "ns/op", Map.of());
    }

    private static Verdict faster(Result ours, Result anchor, double times) {
        return Target.faster("t", Target.bench(ours.shortName()), Target.bench(anchor.shortName()), times)
                .evaluate(List.of(ours, anchor)).verdict();
    }

    @Test
    void aRatioShouldBeMetOnlyWhenItsWholeIntervalMeetsTheTarget() {
        assertEquals(Verdict.MET, faster(time("A.ours", 10, 1), time("A.jdk", 40, 2), 3)); // worst case 38/11 = 3.45
        assertEquals(Verdict.INCONCLUSIVE, faster(time("A.ours", 10, 3), time("A.jdk", 40, 2), 3)); // 38/13 = 2.9
        assertEquals(Verdict.MISSED, faster(time("A.ours", 20, 1), time("A.jdk", 40, 2), 3)); // best case 42/19 = 2.2
    }

    @Test
    void aPointEstimateInsideTheBoundWithAWideIntervalShouldBeInconclusive() {
        // the example: "1.07x yes" on 52 +- 34 us
        Target within = Target.within("t", Target.bench("R.ours"), Target.bench("R.floor"), 1.15);
        Target.Evaluation e = within.evaluate(List.of(time("R.ours", 52, 34), time("R.floor", 48.6, 1)));
        assertEquals(Verdict.INCONCLUSIVE, e.verdict());
        assertTrue(e.measured().startsWith("1.07x"), e.measured());
    }

    @Test
    void aTargetWhoseBenchmarkDidNotRunShouldBeNotMeasuredNeverMissed() {
        Target t = Target.within("t", Target.bench("R.ours"), Target.bench("R.floor"), 1.15);
        assertEquals(Verdict.NOT_MEASURED, t.evaluate(List.of(time("R.ours", 1, 0.1))).verdict());
    }

    @Test
    void anIntervalJmhCouldNotComputeShouldBeInconclusive() {
        assertEquals(Verdict.INCONCLUSIVE, faster(time("A.ours", 1, Double.NaN), time("A.jdk", 40, 2), 3));
    }

    @Test
    void theFastestAnchorShouldBeTheOneWithTheLowerTime() {
        Result pooled = time("S.pooled", 110, 5);
        Result adaptive = time("S.adaptive", 60, 5);
        Target t = Target.faster("t", Target.bench("S.ours"),
                Target.fastest(Target.bench("S.pooled"), Target.bench("S.adaptive")), 3);
        // 3.1x the pooled one but only 1.7x the adaptive one: the target reads the adaptive one
        assertEquals(Verdict.MISSED, t.evaluate(List.of(time("S.ours", 35, 1), pooled, adaptive)).verdict());
    }

    @Test
    void anOverheadShouldBeJudgedOnTheDifferenceOfIntervals() {
        Target t = Target.overhead("t", Target.bench("W.stats"), Target.bench("W.raw"), 3);
        assertEquals(Verdict.MET, t.evaluate(List.of(time("W.stats", 5, 0.2), time("W.raw", 4, 0.2))).verdict());
        assertEquals(Verdict.MISSED, t.evaluate(List.of(time("W.stats", 9, 0.2), time("W.raw", 4, 0.2))).verdict());
    }

    @Test
    void theReportShouldReadJmhJsonWithItsConfidenceIntervals() {
        String json = """
                [ { "benchmark" : "dev.pagewise.bench.AllocateBench.bumpArenaChecked", "mode" : "avgt", "threads" : 1,
                    "forks" : 2, "measurementIterations" : 5, "params" : { "size" : "64" },
                    "primaryMetric" : { "score" : 3.5, "scoreError" : 0.25, "scoreConfidence" : [ 3.25, 3.75 ],
                                        "scoreUnit" : "ns/op", "rawData" : [ [ 3.4, 3.6 ] ] },
                    "secondaryMetrics" : { } },
                  { "benchmark" : "dev.pagewise.bench.X.y", "mode" : "thrpt", "threads" : 2, "forks" : 1,
                    "measurementIterations" : 1, "primaryMetric" : { "score" : 1.0, "scoreError" : "NaN",
                    "scoreConfidence" : [ "NaN", "NaN" ], "scoreUnit" : "ops/us" } } ]
                """;
        List<Result> results = Result.fromJmhJson(json);
        assertEquals(2, results.size());
        Result r = results.getFirst();
        assertEquals("AllocateBench.bumpArenaChecked", r.shortName());
        assertEquals("64", r.param("size"));
        assertEquals(3.25, r.low());
        assertEquals(3.75, r.high());
        assertEquals(2, r.forks());
        assertTrue(Double.isNaN(results.get(1).error()));
        assertTrue(!results.get(1).lowerIsBetter());
    }

    @Test
    void theTargetRegexShouldSelectEveryBenchmarkATargetReadsAndNoOther() {
        java.util.regex.Pattern regex = java.util.regex.Pattern.compile(Targets.benchmarkRegex());
        assertTrue(regex.matcher("dev.pagewise.bench.ResetBench.Floors.scanFloor").find());
        assertTrue(regex.matcher("dev.pagewise.bench.ResetBench.Jdk.cycle").find());
        assertTrue(regex.matcher("dev.pagewise.bench.AllocateBench.stackArenaFrameChecked").find());
        assertTrue(!regex.matcher("dev.pagewise.bench.AllocateBench.stackArenaFrameUnchecked").find());
        assertTrue(!regex.matcher("dev.pagewise.bench.ResetBench.Floors.decommitFloor").find());
    }

    @Test
    void axisTicksShouldCoverTheValues() {
        assertEquals(List.of(2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0), Svg.logTicks(2.2, 150));
        assertEquals(List.of(0.0, 20.0, 40.0, 60.0, 80.0, 100.0), Svg.linearTicks(82));
    }
}
