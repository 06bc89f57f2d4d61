using FastLog.Engine.Log;
using FastLog.Engine.Storage;
using Microsoft.Win32.SafeHandles;

namespace FastLog.Engine.Journal;

/// <summary>One fixed-size file of the commit journal: its handle, its name, and the generation that last used it.</summary>
internal sealed class JournalFile : IDisposable
{
    private static readonly byte[] s_zeros = new byte[1024 * 1024];

    private JournalFile(string path, SafeFileHandle handle)
    {
        Path = path;
        Handle = handle;
    }

    public string Path { get; private set; }

    public SafeFileHandle Handle { get; }

    /// <summary>The generation written in this file now (or last); set by the journal under its lock.</summary>
    public long Generation { get; set; }

    /// <summary>Creates the file and lays it out: zeros up to <paramref name="sizeBytes"/>, fsynced, so later syncs find only data to write.</summary>
    public static JournalFile Create(string directory, string name, int sizeBytes)
    {
        string path = System.IO.Path.Combine(directory, name);
        var handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite);
        var file = new JournalFile(path, handle);
        try
        {
            file.LayOut(0, sizeBytes);
            FileSync.SyncDirectory(directory);
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Opens an existing file; one shorter than <paramref name="sizeBytes"/> (written with a smaller setting) is laid out to it.</summary>
    public static JournalFile Open(string path, int sizeBytes)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        var file = new JournalFile(path, handle);
        try
        {
            long length = RandomAccess.GetLength(handle);
            if (length < sizeBytes)
            {
                // Zeros past the old end never parse as a record, so the records before them stay readable.
                file.LayOut(length, sizeBytes);
            }

            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Renames the open file (it is being reused for a new generation); the caller syncs the directory.</summary>
    public void Rename(string path)
    {
        File.Move(Path, path, overwrite: false);
        Path = path;
    }

    /// <summary>
    /// Walks the records from the start while they are whole, pass their CRC and share the first one's
    /// generation. Returns that generation and where the walk ended (0, 0 for a file without a valid
    /// first record). With <paramref name="replay"/>, hands it each record on the way.
    /// </summary>
    public (long Generation, int EndBytes) Scan(Action<TopicPartition, ReadOnlySpan<byte>>? replay = null)
    {
        long length = RandomAccess.GetLength(Handle);
        byte[] header = new byte[JournalRecordLayout.TopicOffset];
        byte[] record = new byte[64 * 1024];
        long generation = 0;
        long position = 0;
        while (position + header.Length <= length)
        {
            if (RandomAccess.Read(Handle, header, position) != header.Length ||
                !JournalRecordLayout.TryReadLength(header, length - position, out int recordBytes))
            {
                break;
            }

            if (record.Length < recordBytes)
            {
                record = new byte[Math.Max(recordBytes, record.Length * 2)];
            }

            var span = record.AsSpan(0, recordBytes);
            if (RandomAccess.Read(Handle, span, position) != recordBytes ||
                !JournalRecordLayout.TryParse(span, out long recordGeneration, out var topicPartition, out var batch) ||
                (position > 0 && recordGeneration != generation))
            {
                break;
            }

            generation = recordGeneration;
            replay?.Invoke(topicPartition, batch);
            position += recordBytes;
        }

        return position == 0 ? (0, 0) : (generation, (int)position);
    }

    public void Dispose() => Handle.Dispose();

    private void LayOut(long fromBytes, int sizeBytes)
    {
        for (long position = fromBytes; position < sizeBytes; position += s_zeros.Length)
        {
            int length = (int)Math.Min(s_zeros.Length, sizeBytes - position);
            RandomAccess.Write(Handle, s_zeros.AsSpan(0, length), position);
        }

        FileSync.DataSync(Handle);
    }
}
