using System.Buffers.Binary;
using FastLog.Engine.Storage;
using FastLog.Format;

namespace FastLog.Engine.Journal;

/// <summary>
/// The journal's checkpoint: the first generation whose records recovery still needs. Every record
/// of an older generation is already durable in its partition's own files. Twelve bytes:
/// <c>generation:int64 | crc32c:uint32</c>, written to a temporary file, fsynced, renamed over the
/// old one and the directory fsynced, so a crash leaves the old or the new value, never a torn one.
/// </summary>
internal static class JournalCheckpointFile
{
    public const string FileName = "journal.checkpoint";
    private const int SizeBytes = 12;

    public static void Write(string directory, long generation)
    {
        Span<byte> bytes = stackalloc byte[SizeBytes];
        BinaryPrimitives.WriteInt64BigEndian(bytes, generation);
        BinaryPrimitives.WriteUInt32BigEndian(bytes[8..], Crc32C.Compute(bytes[..8]));
        FileSync.ReplaceDurably(Path.Combine(directory, FileName), bytes);
    }

    /// <summary>The checkpointed generation; 0 when there is no checkpoint yet. A damaged file throws <see cref="InvalidDataException"/>.</summary>
    public static long Read(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return 0;
        }

        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length != SizeBytes || BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(8)) != Crc32C.Compute(bytes.AsSpan(0, 8)))
        {
            throw new InvalidDataException($"{path}: damaged journal checkpoint");
        }

        return BinaryPrimitives.ReadInt64BigEndian(bytes);
    }
}
