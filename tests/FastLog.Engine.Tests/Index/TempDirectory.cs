namespace FastLog.Engine.Tests.Index;

/// <summary>A fresh directory under the system temp folder, deleted with everything in it on Dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "fastlog-index-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Path of a file in this directory named like a segment file: 20-digit base offset + extension.</summary>
    public string SegmentFile(long baseOffset, string extension) =>
        System.IO.Path.Combine(Path, baseOffset.ToString("D20") + extension);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A test that failed with an index still open must not hide its failure behind this one.
        }
    }
}
