namespace FastLog.Interop.Tests.Support;

/// <summary>
/// Third-party clients these tests drive. A missing one fails the test with what to install: CI
/// installs them (.ci/run), nothing is skipped silently.
/// </summary>
internal static class ExternalTools
{
    private static readonly Lazy<Task<string?>> PythonWithKafka = new(FindPythonWithKafkaAsync);

    /// <summary>kcat (Debian's kcat package, librdkafka inside).</summary>
    public static string Kcat()
    {
        string? path = FindOnPath("kcat");
        Assert.True(path is not null, "kcat is not installed: install it with `apt-get install -y kcat` (.ci/run does this in CI)");
        return path!;
    }

    /// <summary>A python3 that can import kafka-python and its codecs (Debian's python3-kafka, python3-lz4, python3-snappy, python3-zstandard).</summary>
    public static async Task<string> PythonAsync()
    {
        string? path = await PythonWithKafka.Value;
        Assert.True(path is not null, "kafka-python is not installed for any python3: install it with `apt-get install -y python3-kafka python3-lz4 python3-snappy python3-zstandard` (.ci/run does this in CI)");
        return path!;
    }

    private static async Task<string?> FindPythonWithKafkaAsync()
    {
        // Debian's packages install into the system interpreter, which may not be the first python3 on PATH.
        var candidates = new List<string>();
        if (File.Exists("/usr/bin/python3"))
        {
            candidates.Add("/usr/bin/python3");
        }

        if (FindOnPath("python3") is { } onPath && !candidates.Contains(onPath))
        {
            candidates.Add(onPath);
        }

        foreach (string candidate in candidates)
        {
            var result = await ChildProcess.RunAsync(candidate, ["-c", "import kafka, lz4, snappy, zstandard"], timeout: TimeSpan.FromSeconds(30));
            if (result.ExitCode == 0)
            {
                return candidate;
            }
        }

        return null;
    }

    private static string? FindOnPath(string name)
    {
        string[] directories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (string directory in directories.Append("/usr/bin"))
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
