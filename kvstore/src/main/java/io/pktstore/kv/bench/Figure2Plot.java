package io.pktstore.kv.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The paper's Figure 2 for this run, drawn with Java2D (headless): median latency against throughput
 * as the connection count grows, one line per system, each point labelled with its connection count;
 * medians over rounds.
 */
final class Figure2Plot
{
    private static final int WIDTH = 1100;
    private static final int HEIGHT = 700;
    private static final int LEFT = 90;
    private static final int RIGHT = 330;
    private static final int TOP = 60;
    private static final int BOTTOM = 70;
    private static final Color[] COLOURS = {
        new Color(0x333333), new Color(0x1f77b4), new Color(0x17becf), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2)};

    private Figure2Plot()
    {
    }

    /** Writes the PNG. */
    static void write(final BenchPlan plan, final List<Measurement> measurements, final Path png) throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        final RoundMedians medians = new RoundMedians(measurements);
        double maxX = 0;
        double maxY = 0;
        for (final BenchSystem s : plan.compared())
        {
            for (final int c : plan.connections())
            {
                if (medians.has(s.name(), c))
                {
                    maxX = Math.max(maxX, medians.median(s.name(), c, PointResult::throughput) / 1e3);
                    maxY = Math.max(maxY, medians.median(s.name(), c, PointResult::p50Us));
                }
            }
        }
        final double xStep = niceStep(maxX);
        final double yStep = niceStep(maxY);
        final double xMax = Math.max(xStep, Math.ceil(maxX / xStep) * xStep);
        final double yMax = Math.max(yStep, Math.ceil(maxY / yStep) * yStep);
        final BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = image.createGraphics();
        try
        {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            final Axes axes = new Axes(xMax, yMax);
            drawAxes(g, axes, xStep, yStep, plan);
            int colour = 0;
            int legendY = TOP + 10;
            for (final BenchSystem s : plan.compared())
            {
                final Color c = COLOURS[colour++ % COLOURS.length];
                if (drawSystem(g, axes, medians, s.name(), plan.connections(), c))
                {
                    g.setColor(c);
                    g.setStroke(new BasicStroke(3f));
                    g.drawLine(WIDTH - RIGHT + 20, legendY, WIDTH - RIGHT + 50, legendY);
                    g.setColor(Color.BLACK);
                    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
                    g.drawString(s.name(), WIDTH - RIGHT + 58, legendY + 5);
                    legendY += 24;
                }
            }
        }
        finally
        {
            g.dispose();
        }
        ImageIO.write(image, "png", png.toFile());
    }

    /** Plot area and scales. */
    private record Axes(double xMax, double yMax)
    {
        int x(final double v)
        {
            return LEFT + (int)Math.round(v / xMax * (WIDTH - LEFT - RIGHT));
        }

        int y(final double v)
        {
            return HEIGHT - BOTTOM - (int)Math.round(v / yMax * (HEIGHT - TOP - BOTTOM));
        }
    }

    private static void drawAxes(final Graphics2D g, final Axes a, final double xStep, final double yStep, final BenchPlan plan)
    {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        final FontMetrics fm = g.getFontMetrics();
        for (double x = 0; x <= a.xMax() + 1e-9; x += xStep)
        {
            g.setColor(new Color(0xe5e5e5));
            g.drawLine(a.x(x), TOP, a.x(x), HEIGHT - BOTTOM);
            g.setColor(Color.BLACK);
            final String label = fmt(x);
            g.drawString(label, a.x(x) - fm.stringWidth(label) / 2, HEIGHT - BOTTOM + 20);
        }
        for (double y = 0; y <= a.yMax() + 1e-9; y += yStep)
        {
            g.setColor(new Color(0xe5e5e5));
            g.drawLine(LEFT, a.y(y), WIDTH - RIGHT, a.y(y));
            g.setColor(Color.BLACK);
            final String label = fmt(y);
            g.drawString(label, LEFT - 10 - fm.stringWidth(label), a.y(y) + 5);
        }
        g.setStroke(new BasicStroke(1.5f));
        g.drawLine(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM);
        g.drawLine(LEFT, TOP, LEFT, HEIGHT - BOTTOM);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        final String xTitle = "throughput (thousand requests/s)";
        g.drawString(xTitle, LEFT + (WIDTH - LEFT - RIGHT - g.getFontMetrics().stringWidth(xTitle)) / 2, HEIGHT - 25);
        final Graphics2D rotated = (Graphics2D)g.create();
        rotated.rotate(-Math.PI / 2);
        rotated.drawString("median round trip (us)", -(TOP + (HEIGHT - TOP - BOTTOM) / 2 + 80), 30);
        rotated.dispose();
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        final Workload w = plan.workload();
        g.drawString(String.format(Locale.ROOT, "%d B %s, %d%% PUT: latency vs throughput over 1..%d connections "
                + "(medians of %d rounds)", w.valueBytes(), w.protocol().label().toUpperCase(Locale.ROOT), w.writePercent(),
            plan.connections()[plan.connections().length - 1], plan.rounds()), LEFT, 35);
    }

    /** @return true if anything was drawn. */
    private static boolean drawSystem(final Graphics2D g, final Axes a, final RoundMedians medians, final String system,
                                      final int[] connections, final Color colour)
    {
        final Path2D line = new Path2D.Double();
        boolean any = false;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (final int c : connections)
        {
            if (!medians.has(system, c))
            {
                continue;
            }
            final int x = a.x(medians.median(system, c, PointResult::throughput) / 1e3);
            final int y = a.y(medians.median(system, c, PointResult::p50Us));
            if (any)
            {
                line.lineTo(x, y);
            }
            else
            {
                line.moveTo(x, y);
            }
            any = true;
            g.setColor(colour);
            g.fillOval(x - 4, y - 4, 8, 8);
            g.drawString(Integer.toString(c), x + 6, y - 6);
        }
        g.setColor(colour);
        g.setStroke(new BasicStroke(2.5f));
        g.draw(line);
        return any;
    }

    /** @return a step of 1, 2 or 5 times a power of ten giving about five grid lines up to {@code max}. */
    static double niceStep(final double max)
    {
        if (!(max > 0))
        {
            return 1;
        }
        final double raw = max / 5;
        final double power = Math.pow(10, Math.floor(Math.log10(raw)));
        final double f = raw / power;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
    }

    private static String fmt(final double v)
    {
        return v == Math.rint(v) ? Long.toString((long)v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
