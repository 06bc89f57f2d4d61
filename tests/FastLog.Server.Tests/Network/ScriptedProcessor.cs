using System.Buffers;
using System.Collections.Concurrent;
using FastLog.Engine.Segments;
using FastLog.Server.Network;

namespace FastLog.Server.Tests.Network;

/// <summary>
/// A request processor driven by the first byte of each frame: 'E' echoes the frame, 'D' echoes it
/// once the test opens the gate named by the second byte, 'N' answers nothing, 'C' refuses the
/// request (connection closes), 'X' throws an unexpected error, 'F' answers with a file slice.
/// </summary>
internal sealed class ScriptedProcessor : IRequestProcessor
{
    private readonly ConcurrentDictionary<byte, TaskCompletionSource> _gates = new();

    public ConcurrentQueue<byte[]> Seen { get; } = new();

    /// <summary>What an 'F' frame answers: 'F', each slice followed by '|', then '!'.</summary>
    public IReadOnlyList<FileSlice> FilesToSend { get; set; } = [];

    public void Open(byte gate) => Gate(gate).TrySetResult();

    public ValueTask<KafkaResponse?> ProcessAsync(ConnectionContext connection, ReadOnlySequence<byte> frame)
    {
        byte[] bytes = frame.ToArray();
        Seen.Enqueue(bytes);
        switch ((char)bytes[0])
        {
            case 'E':
                return ValueTask.FromResult<KafkaResponse?>(Echo(bytes));
            case 'D':
                return DelayedEchoAsync(bytes);
            case 'N':
                return ValueTask.FromResult<KafkaResponse?>(null);
            case 'C':
                throw new ConnectionClosingException("refused by the test");
            case 'F':
                var response = new KafkaResponse();
                response.Writer.Write("F"u8);
                foreach (var slice in FilesToSend)
                {
                    response.AppendFileSlice(slice);
                    response.Writer.Write("|"u8);
                }

                response.Writer.Write("!"u8);
                return ValueTask.FromResult<KafkaResponse?>(response);
            default:
                throw new InvalidOperationException("unexpected script byte");
        }
    }

    private static KafkaResponse Echo(byte[] bytes)
    {
        var response = new KafkaResponse();
        response.Writer.Write(bytes);
        return response;
    }

    private async ValueTask<KafkaResponse?> DelayedEchoAsync(byte[] bytes)
    {
        await Gate(bytes[1]).Task;
        return Echo(bytes);
    }

    private TaskCompletionSource Gate(byte name) => _gates.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
