using System.CommandLine;

namespace FastLog.Cli.Commands;

/// <summary>The arguments of <c>fastlog consume</c> and the combinations it refuses.</summary>
internal sealed class ConsumeOptions
{
    public Argument<string> Topic { get; } = new("topic") { Description = "Topic to read" };

    public Option<bool> FromBeginning { get; } = new("--from-beginning") { Description = "Start at the earliest record (with --group: when the group has no committed offset)" };

    public Option<long?> Offset { get; } = new("--offset") { Description = "Start at this offset (needs --partition)", HelpName = "N" };

    public Option<long?> Timestamp { get; } = new("--timestamp") { Description = "Start at the first record at or after this time, in ms since 1970", HelpName = "MS" };

    public Option<int?> Partition { get; } = new("--partition", "-p") { Description = "Read only this partition (default: all)", HelpName = "N" };

    public Option<string?> Group { get; } = new("--group", "-g") { Description = "Join this consumer group, start from its committed offsets and commit what was printed" };

    public Option<int?> MaxMessages { get; } = new("--max-messages", "-n") { Description = "Stop after N records", HelpName = "N" };

    public Option<int?> TimeoutMs { get; } = new("--timeout-ms") { Description = "Stop when no record arrived for this long (default: wait until Ctrl-C)", HelpName = "MS" };

    public Option<string?> Format { get; } = new("--format", "-f") { Description = "text (the value per line) or json (one object per line); default: text, or json with -o json" };

    public Option<bool> PrintKey { get; } = new("--print-key") { Description = "Text format: print key<TAB>value" };

    public void AddTo(Command command)
    {
        Format.AcceptOnlyFromAmong("text", "json");
        command.Arguments.Add(Topic);
        foreach (Option option in new Option[] { FromBeginning, Offset, Timestamp, Partition, Group, MaxMessages, TimeoutMs, Format, PrintKey })
        {
            command.Options.Add(option);
        }

        command.Validators.Add(result =>
        {
            int starts = (result.GetValue(FromBeginning) ? 1 : 0) + (result.GetValue(Offset) is null ? 0 : 1) + (result.GetValue(Timestamp) is null ? 0 : 1);
            if (starts > 1)
            {
                result.AddError("Give at most one of --from-beginning, --offset and --timestamp.");
            }

            if (result.GetValue(Offset) is not null && result.GetValue(Partition) is null)
            {
                result.AddError("--offset needs --partition.");
            }

            if (result.GetValue(Offset) is < 0 || result.GetValue(Timestamp) is < 0 || result.GetValue(Partition) is < 0)
            {
                result.AddError("--offset, --timestamp and --partition must not be negative.");
            }

            if (result.GetValue(MaxMessages) is <= 0 || result.GetValue(TimeoutMs) is <= 0)
            {
                result.AddError("--max-messages and --timeout-ms must be positive.");
            }

            // A group decides the partitions and the starting offsets itself.
            if (result.GetValue(Group) is not null && (result.GetValue(Partition) is not null || result.GetValue(Offset) is not null || result.GetValue(Timestamp) is not null))
            {
                result.AddError("--group cannot be combined with --partition, --offset or --timestamp.");
            }
        });
    }
}
