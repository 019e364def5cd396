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
        int rowHeight = 26;
        int labelWidth = 230;
        int chartWidth = 480;
        int height = 50 + bars.size() * rowHeight;
        double max = bars.stream().mapToDouble(b -> b.value() + (Double.isNaN(b.error()) ? 0 : b.error()))
                .max().orElse(1);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", labelWidth + chartWidth + 90, height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
                escape(title)));
        int y = 36;
        for (Bar b : bars) {
            double w = Math.max(1, b.value() / max * chartWidth);
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
                    labelWidth - 8, y + 15, escape(b.label())));
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"18\" fill=\"%s\"/>%n",
                    labelWidth, y + 2, w, b.ours() ? "#2f6fb0" : "#a0a0a0"));
            if (!Double.isNaN(b.error()) && b.error() > 0) {
                double lo = Math.max(0, b.value() - b.error()) / max * chartWidth;
                double hi = (b.value() + b.error()) / max * chartWidth;
                svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                        labelWidth + lo, labelWidth + hi, y + 11, y + 11));
            }
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%.2f %s</text>%n",
                    labelWidth + w + 6, y + 15, b.value(), unit));
            y += rowHeight;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
