package dev.pagewise.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ServerReportTest {

    private static ServerReport.Step step(int round, String allocator, double offered, boolean pass) {
        return new ServerReport.Step(round, "json", allocator, offered, offered * 0.99, 1, 5, 9, 12, 0, 0, 200, pass);
    }

    @Test
    void sustainedIsTheHighestPassingStepOfEachRound() {
        List<ServerReport.Step> steps = List.of(step(1, "jdk", 400, true), step(1, "jdk", 500, false),
                step(1, "jdk", 630, true), step(1, "jdk", 800, false), step(2, "jdk", 400, true),
                step(2, "jdk", 500, false), step(1, "pagewise", 400, true));
        ServerReport.Sustained s = ServerReport.sustained(steps, "json", "jdk");
        assertEquals(List.of(630.0, 400.0), s.best().stream().map(ServerReport.Step::offered).toList());
        assertEquals(400 * 0.99, s.min());
        assertEquals(630 * 0.99, s.max());
        assertEquals(ServerReport.sustained(steps, "csv", "jdk").best(), List.of());
    }

    @Test
    void aTargetIsJudgedOnTheRangeOverRounds() {
        ServerReport.Sustained jdk = ServerReport.sustained(List.of(step(1, "jdk", 1000, true), step(2, "jdk", 1100, true)), "json", "jdk");
        ServerReport.Sustained clear = ServerReport.sustained(List.of(step(1, "pagewise", 2500, true), step(2, "pagewise", 2300, true)), "json", "pagewise");
        ServerReport.Sustained straddles = ServerReport.sustained(List.of(step(1, "pagewise", 2500, true), step(2, "pagewise", 2100, true)), "json", "pagewise");
        ServerReport.Sustained short_ = ServerReport.sustained(List.of(step(1, "pagewise", 1500, true), step(2, "pagewise", 1900, true)), "json", "pagewise");
        assertEquals(Verdict.MET, ServerReport.verdict(clear, jdk, 2.0));
        assertEquals(Verdict.INCONCLUSIVE, ServerReport.verdict(straddles, jdk, 2.0));
        assertEquals(Verdict.MISSED, ServerReport.verdict(short_, jdk, 2.0));
        assertEquals(Verdict.NOT_MEASURED, ServerReport.verdict(ServerReport.sustained(List.of(), "json", "pagewise"), jdk, 2.0));
    }
}
