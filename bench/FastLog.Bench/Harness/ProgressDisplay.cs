using System.Globalization;
using Spectre.Console;

namespace FastLog.Bench.Harness;

/// <summary>
/// The live view of a long run: one Spectre.Console progress bar per scenario (acknowledged of
/// planned records, with sent and consumed counts), drawn on stderr so stdout stays the report.
/// Off when stderr is not a terminal (CI logs, redirected runs, tests) or with <c>--no-progress</c>;
/// then each scenario prints one line as it starts.
/// </summary>
internal sealed class ProgressDisplay
{
    private readonly ProgressContext? _context;
    private readonly IAnsiConsole? _console;

    private ProgressDisplay(ProgressContext? context, IAnsiConsole? console)
    {
        _context = context;
        _console = console;
    }

    public static bool Enabled(bool noProgress) => !noProgress && !Console.IsErrorRedirected;

    public static async Task RunAsync(bool enabled, Func<ProgressDisplay, Task> body)
    {
        if (!enabled)
        {
            await body(new ProgressDisplay(null, null));
            return;
        }

        // Spectre detects interactivity from stdout; the bars go to stderr, which Enabled found to be a terminal.
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
        });
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context => await body(new ProgressDisplay(context, console)));
    }

    /// <summary>A line of the run's log: above the bars while they are drawn (a plain write would tear them), else on stderr.</summary>
    public void Log(string line)
    {
        if (_console is null)
        {
            Console.Error.WriteLine(line);
        }
        else
        {
            // A wrapped line would break the redraw of the bars below it; the full line is in the report.
            int width = Math.Max(20, _console.Profile.Width - 1);
            _console.WriteLine(line.Length > width ? line[..(width - 1)] + "…" : line);
        }
    }

    /// <summary>Shows <paramref name="counters"/> until the returned handle is disposed.</summary>
    public IDisposable Track(ScenarioCounters counters)
    {
        if (_context is null)
        {
            Log($"  {counters.Label}: {counters.Expected.ToString("N0", CultureInfo.InvariantCulture)} records ...");
            return new NoTracking();
        }

        var task = _context.AddTask(Markup.Escape(counters.Label), maxValue: Math.Max(1, counters.Expected));
        return new Tracking(task, counters);
    }

    private sealed class NoTracking : IDisposable
    {
        public void Dispose()
        {
        }
    }

    /// <summary>Copies the counters into the bar five times a second; the bar is completed on dispose.</summary>
    private sealed class Tracking : IDisposable
    {
        private readonly ProgressTask _task;
        private readonly ScenarioCounters _counters;
        private readonly Timer _timer;

        public Tracking(ProgressTask task, ScenarioCounters counters)
        {
            _task = task;
            _counters = counters;
            _timer = new Timer(_ => Update(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(200));
        }

        public void Dispose()
        {
            _timer.Dispose();
            Update();
            _task.StopTask();
        }

        private void Update()
        {
            _task.Value = _counters.Acked;
            _task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"{_counters.Label}  sent {_counters.Sent:N0} acked {_counters.Acked:N0} consumed {_counters.Consumed:N0}"));
        }
    }
}
