using ScottPlot;
using SkiaSharp;

namespace FastLog.Bench.Harness;

/// <summary>
/// The PNG beside the report: records/s per scenario on top, produce-latency percentiles (p50, p99,
/// p99.9) and end-to-end p99 per scenario below, scenarios numbered as in the report's table.
/// ScottPlot draws each panel; SkiaSharp (which ScottPlot renders with) stacks them into one image.
/// </summary>
internal static class ResultPlot
{
    private const int Width = 1200;
    private const int PanelHeight = 420;

    /// <summary>Writes the plot; null and a reason when there is nothing to draw or drawing fails (e.g. the native Skia library cannot load).</summary>
    public static string? TryWrite(IReadOnlyList<ScenarioResult> results, string path, string title, out string? problem)
    {
        problem = null;
        if (results.Count == 0)
        {
            problem = "no results";
            return null;
        }

        try
        {
            byte[] top = Throughput(results, title).GetImageBytes(Width, PanelHeight, ImageFormat.Png);
            byte[] bottom = Latency(results).GetImageBytes(Width, PanelHeight, ImageFormat.Png);
            using var surface = SKSurface.Create(new SKImageInfo(Width, PanelHeight * 2));
            surface.Canvas.Clear(SKColors.White);
            using (var a = SKBitmap.Decode(top))
            using (var b = SKBitmap.Decode(bottom))
            {
                surface.Canvas.DrawBitmap(a, 0, 0);
                surface.Canvas.DrawBitmap(b, 0, PanelHeight);
            }

            using var image = surface.Snapshot();
            using var data = image.Encode(SKEncodedImageFormat.Png, 100);
            using (var file = File.Create(path))
            {
                data.SaveTo(file);
            }

            return path;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or InvalidOperationException or IOException or NotSupportedException)
        {
            problem = $"{e.GetType().Name}: {e.Message}";
            return null;
        }
    }

    private static Plot Throughput(IReadOnlyList<ScenarioResult> results, string title)
    {
        var plot = new Plot();
        var bars = results.Select((r, i) => new Bar
        {
            Position = i + 1,
            Value = r.ProduceRecordsPerSecond / 1000,
            FillColor = r.Scenario.LatencyMode ? Colors.Orange : Colors.SteelBlue,
        }).ToArray();
        plot.Add.Bars(bars);
        plot.Title(title.Length > 90 ? title[..90] + "…" : title, size: 14);
        plot.YLabel("produce, thousand records/s");
        plot.XLabel("scenario # (blue: throughput mode, orange: latency mode)");
        NumberTicks(plot, results.Count);
        plot.Axes.Margins(bottom: 0);
        return plot;
    }

    private static Plot Latency(IReadOnlyList<ScenarioResult> results)
    {
        var plot = new Plot();
        var series = new (string Name, Color Color, Func<ScenarioResult, double?> Value)[]
        {
            ("produce p50", Colors.LightSkyBlue, r => r.AckLatency?.P50Ms),
            ("produce p99", Colors.SteelBlue, r => r.AckLatency?.P99Ms),
            ("produce p99.9", Colors.Navy, r => r.AckLatency?.P999Ms),
            ("end-to-end p99", Colors.Orange, r => r.EndToEnd?.P99Ms),
        };
        double width = 0.8 / series.Length;
        for (int k = 0; k < series.Length; k++)
        {
            var (name, color, value) = series[k];
            var bars = results
                .Select((r, i) => (Value: value(r), Position: i + 1 - 0.4 + (width * (k + 0.5))))
                .Where(x => x.Value is not null)
                .Select(x => new Bar { Position = x.Position, Value = x.Value!.Value, Size = width, FillColor = color })
                .ToArray();
            if (bars.Length == 0)
            {
                continue;
            }

            var plottable = plot.Add.Bars(bars);
            plottable.LegendText = name;
        }

        plot.YLabel("latency, ms");
        plot.XLabel("scenario #");
        plot.ShowLegend(Alignment.UpperLeft);
        NumberTicks(plot, results.Count);
        plot.Axes.Margins(bottom: 0);
        return plot;
    }

    private static void NumberTicks(Plot plot, int count)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int i = 1; i <= count; i++)
        {
            ticks.AddMajor(i, "#" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        plot.Axes.Bottom.TickGenerator = ticks;
    }
}
