package dev.pagewise.bench;

import java.util.List;
import java.util.Locale;

/** A horizontal bar chart as a standalone SVG, with error whiskers. */
final class Svg {

    /** One bar; {@code ours} colours Pagewise apart from the anchors. */
    record Bar(String label, double value, double error, boolean ours) {
    }

    private Svg() {
    }

    static String bars(String title, List<Bar> bars, String unit) {
        return bars(title, bars, unit, false);
    }

    /** Bars scaled to the largest value (or on a log scale), whiskers clipped, values in a right-hand column. */
    static String bars(String title, List<Bar> bars, String unit, boolean log) {
        int rowHeight = 26;
        int labelWidth = 230;
        int chartWidth = 420;
        int height = 50 + bars.size() * rowHeight + (log ? 16 : 0);
        double max = bars.stream().mapToDouble(Bar::value).max().orElse(1) * 1.05;
        double min = bars.stream().mapToDouble(Bar::value).filter(v -> v > 0).min().orElse(1) / 2;
        java.util.function.DoubleUnaryOperator x = v -> {
            double clipped = Math.clamp(v, log ? min : 0, max);
            double f = log ? Math.log(clipped / min) / Math.log(max / min) : clipped / max;
            return labelWidth + f * chartWidth;
        };
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", labelWidth + chartWidth + 170, height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
                escape(title + (log ? ", log scale" : ""))));
        int y = 36;
        for (Bar b : bars) {
            double end = x.applyAsDouble(b.value());
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
                    labelWidth - 8, y + 15, escape(b.label())));
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"18\" fill=\"%s\"/>%n",
                    labelWidth, y + 2, Math.max(1, end - labelWidth), b.ours() ? "#2f6fb0" : "#a0a0a0"));
            if (!Double.isNaN(b.error()) && b.error() > 0) {
                svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                        x.applyAsDouble(b.value() - b.error()), x.applyAsDouble(b.value() + b.error()), y + 11, y + 11));
            }
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%.2f ± %.2f %s</text>%n",
                    labelWidth + chartWidth + 8, y + 15, b.value(), Double.isNaN(b.error()) ? 0 : b.error(), unit));
            y += rowHeight;
        }
        if (log) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#666\">whiskers: 99.9%% error of the mean, "
                    + "clipped to the axis</text>%n", labelWidth, y + 12));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
