using System.Globalization;

namespace FastLog.Bench.Harness;

/// <summary>
/// <c>--rate</c>: a fixed total rate in records/s, or a share of the maximum the same scenario
/// reaches in throughput mode earlier in the same run (<c>50%</c>), which is how the OpenMessaging
/// Benchmark sizes its latency runs without a figure carried over from another day.
/// </summary>
internal readonly record struct RateSpec(double Value, bool IsShareOfMax)
{
    public static RateSpec Parse(string text)
    {
        bool share = text.EndsWith('%');
        string number = (share ? text[..^1] : text).Replace("_", string.Empty, StringComparison.Ordinal);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value <= 0 || (share && value > 100))
        {
            throw new ArgumentException($"--rate: '{text}' is neither records/s nor a share of the maximum such as 50%");
        }

        return new RateSpec(share ? value / 100 : value, share);
    }

    public override string ToString() => IsShareOfMax
        ? (Value * 100).ToString("0.#", CultureInfo.InvariantCulture) + "% of the measured maximum"
        : Value.ToString("0", CultureInfo.InvariantCulture) + " records/s";
}
