namespace FastLog.Protocol.Generator;

/// <summary>Inclusive version range; "N+" is open-ended (Max = short.MaxValue).</summary>
internal readonly record struct VersionRange(int Min, int Max)
{
    public const int Open = short.MaxValue;

    public bool Contains(int version) => version >= Min && version <= Max;

    public bool Covers(VersionRange other) => Min <= other.Min && Max >= other.Max;

    public static VersionRange Parse(string text)
    {
        if (text.EndsWith('+'))
        {
            return new VersionRange(int.Parse(text[..^1]), Open);
        }

        int dash = text.IndexOf('-');
        return dash < 0
            ? new VersionRange(int.Parse(text), int.Parse(text))
            : new VersionRange(int.Parse(text[..dash]), int.Parse(text[(dash + 1)..]));
    }
}
