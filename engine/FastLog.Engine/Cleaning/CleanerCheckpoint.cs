using System.Globalization;

namespace FastLog.Engine.Cleaning;

/// <summary>
/// The cleaner's per-partition state, in a small text file in the partition directory
/// (<see cref="FileName"/>): where the dirty section starts, below which offset segments may have
/// compaction gaps, and the earliest tombstone delete horizon still pending.
/// </summary>
/// <remarks>
/// Two offsets rather than one because they are written at different moments of a pass:
/// <see cref="GapsBelowOffset"/> before the first swap (so a crash after any swap still lets
/// recovery accept the gaps of a cleaned segment instead of cutting the log there), and
/// <see cref="CleanedToOffset"/> only after the last swap (so a crash mid-pass never claims
/// uncleaned data as clean). Written to a temporary file, fsynced and renamed: a reader sees the
/// old or the new contents, never a mix.
/// </remarks>
public readonly record struct CleanerCheckpoint(long CleanedToOffset, long GapsBelowOffset, long EarliestDeleteHorizonMs)
{
    public const string FileName = "cleaner-offset-checkpoint";

    private const int Version = 1;

    /// <summary>No horizon pending.</summary>
    public const long NoHorizon = long.MaxValue;

    public static CleanerCheckpoint Empty => new(0, 0, NoHorizon);

    /// <summary>Reads the partition's checkpoint; a missing or unreadable file means nothing was cleaned.</summary>
    public static CleanerCheckpoint Read(string partitionDirectory)
    {
        string path = Path.Combine(partitionDirectory, FileName);
        if (!File.Exists(path))
        {
            return Empty;
        }

        string[] lines = File.ReadAllLines(path);
        if (lines.Length < 4 ||
            !int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out int version) || version != Version ||
            !long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out long cleanedTo) ||
            !long.TryParse(lines[2], NumberStyles.None, CultureInfo.InvariantCulture, out long gapsBelow) ||
            !long.TryParse(lines[3], NumberStyles.None, CultureInfo.InvariantCulture, out long horizon))
        {
            // A damaged checkpoint only costs a full re-clean, but gaps must still be accepted: assume everywhere.
            return new CleanerCheckpoint(0, long.MaxValue, 0);
        }

        return new CleanerCheckpoint(cleanedTo, gapsBelow, horizon);
    }

    /// <summary>Replaces the file durably (temporary file, fsync, rename, directory fsync).</summary>
    public void Write(string partitionDirectory)
    {
        string text = string.Create(CultureInfo.InvariantCulture, $"{Version}\n{CleanedToOffset}\n{GapsBelowOffset}\n{EarliestDeleteHorizonMs}\n");
        Storage.FileSync.ReplaceDurably(Path.Combine(partitionDirectory, FileName), System.Text.Encoding.ASCII.GetBytes(text));
    }
}
