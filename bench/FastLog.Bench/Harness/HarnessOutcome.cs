namespace FastLog.Bench.Harness;

/// <summary>What a harness run produced: the results, the files written, and the process exit code (0 when every scenario completed with matching counts).</summary>
internal sealed record HarnessOutcome(IReadOnlyList<ScenarioResult> Results, IReadOnlyList<string> Files, int ExitCode);
