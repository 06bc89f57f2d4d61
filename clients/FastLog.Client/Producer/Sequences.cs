namespace FastLog.Client.Producer;

/// <summary>Producer sequence arithmetic: sequences run from 0 to int.MaxValue and then wrap to 0, as the broker counts them.</summary>
internal static class Sequences
{
    /// <summary><paramref name="sequence"/> advanced by <paramref name="count"/>, wrapping past int.MaxValue.</summary>
    public static int Add(int sequence, int count) => (int)(((long)sequence + count) % ((long)int.MaxValue + 1));
}
