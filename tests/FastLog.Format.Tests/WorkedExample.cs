namespace FastLog.Format.Tests;

/// <summary>The 74-byte batch of the protocol notes: one record k=v, header h=1, uncompressed.</summary>
internal static class WorkedExample
{
    public const string Hex =
        "0000000000000000 0000003e 00000000 02 675a95fd 0000 00000000" +
        "0000018bcfe56800 0000018bcfe56800 ffffffffffffffff ffff ffffffff 00000001" +
        "18 00 00 00 026b 0276 02 0268 0231";

    public const long TimestampMs = 1700000000000;
}
