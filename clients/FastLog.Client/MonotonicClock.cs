using System.Diagnostics;

namespace FastLog.Client;

/// <summary>
/// Milliseconds of a monotonic clock that advances every millisecond: the client's time base for
/// linger, backoffs, timeouts and deadlines.
/// </summary>
/// <remarks>
/// Why not <see cref="Environment.TickCount64"/>: on Linux it reads <c>CLOCK_MONOTONIC_COARSE</c>, which
/// moves only on the kernel's timer tick (every 4 ms with the common <c>CONFIG_HZ=250</c>). A 1 ms
/// <c>linger.ms</c> measured with it lasts up to a whole tick, and every batch of a producer comes due on
/// the same tick. <see cref="Stopwatch.GetTimestamp"/> reads the precise monotonic clock (a vDSO call, no
/// system call, no allocation).
/// </remarks>
internal static class MonotonicClock
{
    /// <summary><see cref="Stopwatch"/> ticks per millisecond of this clock.</summary>
    internal static readonly long TicksPerMillisecond = Math.Max(1, Stopwatch.Frequency / 1000);

    /// <summary>Milliseconds since an arbitrary fixed point (the machine's boot on Linux).</summary>
    public static long NowMs => Stopwatch.GetTimestamp() / TicksPerMillisecond;
}
