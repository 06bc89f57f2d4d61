namespace FastLog.Client.Producer;

/// <summary>
/// Producer sequence arithmetic: sequences run from 0 to int.MaxValue and then wrap to 0, as the broker counts them,
/// so "before" means "at most a quarter of the sequence space behind" rather than a plain comparison.
/// </summary>
internal static class Sequences
{
    private const long Modulus = (long)int.MaxValue + 1;

    /// <summary><paramref name="sequence"/> advanced by <paramref name="count"/>, wrapping past int.MaxValue.</summary>
    public static int Add(int sequence, int count) => (int)((((long)sequence + count) % Modulus + Modulus) % Modulus);

    /// <summary>True when <paramref name="sequence"/> is <paramref name="reference"/> or comes before it.</summary>
    public static bool IsAtOrBefore(int sequence, int reference) => ((reference - (long)sequence) % Modulus + Modulus) % Modulus < (1L << 29);
}
