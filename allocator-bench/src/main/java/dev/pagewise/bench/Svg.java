package dev.pagewise.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;

/**
 * Dot plots as standalone SVG: one row per result, a dot at the score and a whisker over its confidence
 * interval, on an axis with labelled ticks. Dots rather than bars, so that a log axis, which the allocation
 * chart needs for its 1-to-1000 ns spread, never turns into bar lengths that mislead.
 */
final class Svg {

    /** One row; {@code ours} colours Pagewise apart from the anchors and floors. */
    record Dot(String label, double value, double low, double high, boolean ours) {
        static Dot of(String label, Result r, boolean ours) {
            return new Dot(label, r.score(), r.low(), r.high(), ours);
        }
    }

    private static final int ROW = 24;
    private static final int LABEL_WIDTH = 260;
    private static final int PLOT_WIDTH = 440;
    private static final int VALUE_WIDTH = 150;

    private Svg() {
    }

    /** {@return the plot; on a log axis when {@code log}, else on a linear axis from zero; whiskers are confidence intervals} */
    static String dots(String title, List<Dot> dots, String unit, boolean log) {
        return dots(title, dots, unit, log, "99.9% confidence interval");
    }

    /** {@return the plot, its whiskers described in the axis caption as {@code whiskers}} */
    static String dots(String title, List<Dot> dots, String unit, boolean log, String whiskers) {
        double max = 0;
        double min = Double.MAX_VALUE;
        for (Dot d : dots) {
            max = Math.max(max, finite(d.high(), d.value()));
            min = Math.min(min, finite(d.low(), d.value()) > 0 ? finite(d.low(), d.value()) : d.value());
        }
        List<Double> ticks = log ? logTicks(min, max) : linearTicks(max);
        double lo = ticks.getFirst();
        double hi = ticks.getLast();
        DoubleUnaryOperator x = v -> {
            double f = log ? Math.log(Math.max(v, lo) / lo) / Math.log(hi / lo) : v / hi;
            return LABEL_WIDTH + Math.clamp(f, 0, 1) * PLOT_WIDTH;
        };
        int top = 34;
        int axisY = top + dots.size() * ROW + 6;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                        + "font-family=\"sans-serif\" font-size=\"12\">%n", LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH + 20,
                axisY + 44));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
                escape(title)));
        for (double t : ticks) {
            double tx = x.applyAsDouble(t);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#e4e4e4\"/>%n",
                    tx, tx, top, axisY));
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                    tx, tx, axisY, axisY + 5));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    tx, axisY + 18, tick(t)));
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                LABEL_WIDTH, LABEL_WIDTH + PLOT_WIDTH, axisY, axisY));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                LABEL_WIDTH + PLOT_WIDTH / 2, axisY + 36, escape(unit + (log ? ", log scale" : "")
                        + "; whiskers: " + whiskers)));
        int y = top;
        for (Dot d : dots) {
            int cy = y + ROW / 2;
            String colour = d.ours() ? "#2f6fb0" : "#808080";
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
                    LABEL_WIDTH - 8, cy + 4, escape(d.label())));
            if (Double.isFinite(d.low()) && Double.isFinite(d.high())) {
                svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" "
                                + "stroke-width=\"2\"/>%n", x.applyAsDouble(d.low()), x.applyAsDouble(d.high()), cy, cy,
                        colour));
            }
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%d\" r=\"4.5\" fill=\"%s\"/>%n",
                    x.applyAsDouble(d.value()), cy, colour));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n",
                    LABEL_WIDTH + PLOT_WIDTH + 12, cy + 4, escape(value(d) + " " + unit)));
            y += ROW;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static double finite(double v, double otherwise) {
        return Double.isFinite(v) ? v : otherwise;
    }

    /** Ticks at 1, 2 and 5 times each power of ten, from below the smallest value to above the largest. */
    static List<Double> logTicks(double min, double max) {
        double decade = Math.pow(10, Math.floor(Math.log10(min)));
        List<Double> ticks = new ArrayList<>();
        double first = decade;
        for (double m : new double[] {5, 2, 1}) {
            if (m * decade <= min) {
                first = m * decade;
                break;
            }
        }
        for (double d = decade; ; d *= 10) {
            for (double m : new double[] {1, 2, 5}) {
                double t = m * d;
                if (t >= first - 1e-12 * first) {
                    ticks.add(t);
                }
                if (t >= max) {
                    return ticks;
                }
            }
        }
    }

    /** Five or so ticks from zero at a step of 1, 2 or 5 times a power of ten, the last at or above {@code max}. */
    static List<Double> linearTicks(double max) {
        double raw = max / 5;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw <= magnitude ? magnitude : raw <= 2 * magnitude ? 2 * magnitude
                : raw <= 5 * magnitude ? 5 * magnitude : 10 * magnitude;
        List<Double> ticks = new ArrayList<>();
        for (int i = 0; ; i++) {
            ticks.add(i * step);
            if (i * step >= max) {
                return ticks;
            }
        }
    }

    private static String tick(double t) {
        return t >= 1 || t == 0 ? String.format(Locale.ROOT, "%,.0f", t) : String.format(Locale.ROOT, "%.2g", t);
    }

    private static String value(Dot d) {
        boolean bounded = Double.isFinite(d.low()) && Double.isFinite(d.high());
        return BenchReport.score(d.value(), bounded ? (d.high() - d.low()) / 2 : Double.NaN);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
