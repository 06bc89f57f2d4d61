using FastLog.Server.Metrics;

namespace FastLog.Server.Tests.Metrics;

/// <summary>
/// The exposition writer on its own: escaping of HELP text and label values, histogram buckets made
/// cumulative with _count equal to +Inf, number formats. Each output goes through the strict
/// <see cref="Exposition"/> reader, so escaping is checked by round trip, not by string compare alone.
/// </summary>
public sealed class PrometheusTextWriterTests
{
    [Fact]
    public void Label_values_and_help_text_are_escaped_and_read_back_unchanged()
    {
        const string awkward = "quote \" backslash \\ newline \n end";
        var writer = new PrometheusTextWriter();
        writer.Family("test_gauge", "gauge", "help with \\ and \n in it");
        writer.Sample("test_gauge", 1L, ("name", awkward), ("other", ""));

        string text = writer.ToString();
        var exposition = Exposition.Parse(text);

        Assert.Contains("name=\"quote \\\" backslash \\\\ newline \\n end\"", text, StringComparison.Ordinal);
        Assert.Equal(1, exposition.Value("test_gauge", ("name", awkward), ("other", "")));
        Assert.Equal("help with \\ and \n in it", exposition.Helps["test_gauge"]);
        Assert.Equal(2, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith('#')));
    }

    [Fact]
    public void Histogram_buckets_are_cumulative_and_count_equals_the_inf_bucket()
    {
        var histogram = new LatencyHistogram(ticksPerSecond: 1000, boundsSeconds: [0.001, 0.01, 0.1]);
        histogram.Observe(1);    // 1 ms: on the first bound, which is inclusive
        histogram.Observe(5);    // 5 ms
        histogram.Observe(5);
        histogram.Observe(2000); // 2 s: only +Inf
        var writer = new PrometheusTextWriter();
        writer.Family("test_seconds", "histogram", "a test histogram");
        writer.Histogram("test_seconds", histogram.Snapshot(), ("api", "Produce"));

        var exposition = Exposition.Parse(writer.ToString());

        Assert.Equal(1, exposition.Value("test_seconds_bucket", ("api", "Produce"), ("le", "0.001")));
        Assert.Equal(3, exposition.Value("test_seconds_bucket", ("api", "Produce"), ("le", "0.01")));
        Assert.Equal(3, exposition.Value("test_seconds_bucket", ("api", "Produce"), ("le", "0.1")));
        Assert.Equal(4, exposition.Value("test_seconds_bucket", ("api", "Produce"), ("le", "+Inf")));
        Assert.Equal(4, exposition.Value("test_seconds_count", ("api", "Produce")));
        Assert.Equal(2.011, exposition.Value("test_seconds_sum", ("api", "Produce")), precision: 9);
    }

    [Fact]
    public void Special_values_use_the_format_spelling()
    {
        var writer = new PrometheusTextWriter();
        writer.Family("test_special", "gauge", "special values");
        writer.Sample("test_special", double.PositiveInfinity, ("v", "inf"));
        writer.Sample("test_special", double.NaN, ("v", "nan"));
        writer.Sample("test_special", 0.5, ("v", "half"));

        string text = writer.ToString();

        Assert.Contains("test_special{v=\"inf\"} +Inf\n", text, StringComparison.Ordinal);
        Assert.Contains("test_special{v=\"nan\"} NaN\n", text, StringComparison.Ordinal);
        Assert.Contains("test_special{v=\"half\"} 0.5\n", text, StringComparison.Ordinal);
        Assert.Equal(3, Exposition.Parse(text).Samples.Count);
    }

    [Theory]
    [InlineData("fastlog_requests_total", true)]
    [InlineData("a:b_c9", true)]
    [InlineData("_x", true)]
    [InlineData("9lives", false)]
    [InlineData("has-dash", false)]
    [InlineData("", false)]
    public void Metric_names_follow_the_format_rule(string name, bool valid)
    {
        Assert.Equal(valid, PrometheusTextWriter.IsValidName(name));
    }

    [Fact]
    public void The_reader_refuses_a_sample_without_type_and_a_split_family()
    {
        Assert.Throws<FormatException>(() => Exposition.Parse("untyped_sample 1\n"));
        Assert.Throws<FormatException>(() => Exposition.Parse("# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\na 2\n"));
        Assert.Throws<FormatException>(() => Exposition.Parse("# TYPE a gauge\na{x=\"1\" 1\n"));
    }
}
