using FastLog.Bench.Comparison;
using FastLog.Bench.Groups;
using FastLog.Bench.Harness;

// Three programs behind one command: the consumer-group benchmark (--groups), the broker
// comparison kept as it was first written (--preset broker), and the harness (everything else).
try
{
    if (args.Contains("--groups") || IsBrokerPreset(args))
    {
        var comparison = ComparisonOptions.Parse(args);
        if (comparison is null)
        {
            Console.WriteLine(ComparisonOptions.Usage);
            return 0;
        }

        return comparison.Groups
            ? await GroupsBench.RunAsync(comparison, HarnessRun.Project)
            : await ComparisonBench.RunAsync(comparison, HarnessRun.Project);
    }

    var options = HarnessOptions.Parse(args);
    if (options is null)
    {
        Console.WriteLine(HarnessOptions.Usage);
        return 0;
    }

    return (await HarnessRun.RunAsync(options)).ExitCode;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine("(--help lists the options)");
    return 2;
}

static bool IsBrokerPreset(string[] args)
{
    int i = Array.IndexOf(args, "--preset");
    return i >= 0 && i + 1 < args.Length && args[i + 1].Equals("broker", StringComparison.OrdinalIgnoreCase);
}
