using System.CommandLine;
using FastLog.Client;
using FastLog.Protocol;

namespace FastLog.Cli;

/// <summary>
/// Wraps each command's action: gives it a <see cref="CliContext"/> and turns failures into one line on stderr and
/// an exit code, so no command prints a stack trace for an expected problem.
/// </summary>
internal sealed class CommandRunner(GlobalOptions globals, CliIo io)
{
    public void SetAction(Command command, Func<CliContext, CancellationToken, Task<int>> action) =>
        command.SetAction((parse, cancellationToken) => RunAsync(new CliContext(parse, globals, io), action, cancellationToken));

    private static async Task<int> RunAsync(CliContext context, Func<CliContext, CancellationToken, Task<int>> action, CancellationToken cancellationToken)
    {
        try
        {
            return await action(context, cancellationToken).ConfigureAwait(false);
        }
        catch (CliException e)
        {
            return await FailAsync(context, e.ExitCode, e.Message).ConfigureAwait(false);
        }
        catch (KafkaException e) when (e.Error is ErrorCode.NetworkException)
        {
            return await FailAsync(context, ExitCodes.Unreachable, $"cannot reach broker at {SafeBootstrap(context)}: {e.Message}").ConfigureAwait(false);
        }
        catch (KafkaException e) when (e.Error is ErrorCode.RequestTimedOut)
        {
            return await FailAsync(context, ExitCodes.Unreachable, $"no answer from broker at {SafeBootstrap(context)}: {e.Message}").ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            return await FailAsync(context, ExitCodes.Refused, e.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
    }

    private static async Task<int> FailAsync(CliContext context, int exitCode, string message)
    {
        await context.Error.WriteLineAsync($"{CliApp.Name}: {message}").ConfigureAwait(false);
        return exitCode;
    }

    private static string SafeBootstrap(CliContext context)
    {
        try
        {
            return context.BootstrapServers;
        }
        catch (CliException)
        {
            return "(unparsable -X settings)";
        }
    }
}
