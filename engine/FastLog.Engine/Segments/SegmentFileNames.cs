using System.Globalization;

namespace FastLog.Engine.Segments;

/// <summary>
/// Kafka's segment file names: the base offset as 20 zero-padded digits plus a suffix. Files being
/// removed carry an extra <see cref="DeletedSuffix"/> until their delayed deletion.
/// </summary>
public static class SegmentFileNames
{
    public const string LogSuffix = ".log";
    public const string IndexSuffix = ".index";
    public const string TimeIndexSuffix = ".timeindex";
    public const string DeletedSuffix = ".deleted";
    public const string CleanedSuffix = ".cleaned";
    public const string SwapSuffix = ".swap";

    /// <summary>20 digits: long.MaxValue has 19, so every offset fits and names sort lexically.</summary>
    public const int OffsetDigits = 20;

    public static string FormatOffset(long offset) => offset.ToString("D20", CultureInfo.InvariantCulture);

    public static string LogFile(string directory, long baseOffset) => Path.Combine(directory, FormatOffset(baseOffset) + LogSuffix);

    public static string IndexFile(string directory, long baseOffset) => Path.Combine(directory, FormatOffset(baseOffset) + IndexSuffix);

    public static string TimeIndexFile(string directory, long baseOffset) => Path.Combine(directory, FormatOffset(baseOffset) + TimeIndexSuffix);

    /// <summary>Parses "00000000000000000042.log" style names; false for other files.</summary>
    public static bool TryParseBaseOffset(string fileName, string suffix, out long baseOffset)
    {
        baseOffset = -1;
        if (!fileName.EndsWith(suffix, StringComparison.Ordinal) || fileName.Length != OffsetDigits + suffix.Length)
        {
            return false;
        }

        return long.TryParse(fileName.AsSpan(0, OffsetDigits), NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }
}
