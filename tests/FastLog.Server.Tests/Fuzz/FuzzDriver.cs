using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace FastLog.Server.Tests.Fuzz;

/// <summary>Counters of a fuzz run, shared by its workers.</summary>
internal sealed class FuzzStats
{
    public long Mutated;
    public long Valid;
    public long Connections;
    public long Responses;
    public long SendsRefused;
    public long Resets;
    public long ReadTimeouts;
    public long BytesSent;

    public ConcurrentDictionary<Mutation, long> ByMutation { get; } = new();

    public ConcurrentQueue<string> Violations { get; } = new();
}

/// <summary>
/// Sends requests over short-lived loopback connections, a few valid ones and then a mutated one per
/// connection: write them all, half-close, then drain whatever the broker answers until it closes,
/// bounded by a timeout. Bad input makes the broker close; the next chunk goes over a new connection.
/// </summary>
internal sealed class FuzzDriver
{
    private const int MaxValidPrefix = 3;
    private const int MaxResponseFrameBytes = 64 << 20;
    private static readonly TimeSpan ConnectionTimeout = TimeSpan.FromSeconds(1);

    private readonly IPEndPoint _endPoint;
    private readonly FuzzSeeds _seeds;
    private readonly FuzzStats _stats;

    public FuzzDriver(IPEndPoint endPoint, FuzzSeeds seeds, FuzzStats stats)
    {
        _endPoint = endPoint;
        _seeds = seeds;
        _stats = stats;
    }

    /// <summary>
    /// Runs until <paramref name="targetMutated"/> mutated requests were sent in all, or <paramref name="deadline"/> passes.
    /// Each connection carries up to three valid requests and then one mutated request, so every mutated
    /// request reaches the broker's parser (nothing before it can close the connection), and the answers
    /// to the valid ones must arrive whole and in order whatever the mutated one does.
    /// </summary>
    public async Task RunWorkerAsync(int seed, long targetMutated, DateTime deadline)
    {
        var random = new Random(seed);
        var mutator = new FrameMutator(random, _seeds);
        var applied = new List<Mutation>();
        var chunk = new ArrayBufferWriter<byte>(64 * 1024);
        var prefix = new List<SeedRequest>();
        while (Interlocked.Read(ref _stats.Mutated) < targetMutated && DateTime.UtcNow < deadline)
        {
            chunk.ResetWrittenCount();
            prefix.Clear();
            int valid = random.Next(MaxValidPrefix + 1);
            for (int i = 0; i < valid; i++)
            {
                var request = _seeds.Seeds[random.Next(_seeds.Seeds.Count)];
                prefix.Add(request);
                chunk.Write(request.Frame);
            }

            var original = _seeds.Seeds[random.Next(_seeds.Seeds.Count)];
            chunk.Write(mutator.Mutate(original, applied));
            foreach (var m in applied)
            {
                _stats.ByMutation.AddOrUpdate(m, 1, static (_, n) => n + 1);
            }

            string description = $"{string.Join(", ", prefix)}, then {original.Name} [{string.Join('+', applied)}]";
            await ExchangeAsync(chunk.WrittenMemory, prefix, description, seed);
            Interlocked.Increment(ref _stats.Mutated);
            Interlocked.Add(ref _stats.Valid, valid);
        }
    }

    private async Task ExchangeAsync(ReadOnlyMemory<byte> bytes, List<SeedRequest> prefix, string description, int seed)
    {
        Interlocked.Increment(ref _stats.Connections);
        using var socket = new Socket(_endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,

            // Closing resets instead of lingering: thousands of connections leave no TIME_WAIT behind.
            LingerState = new LingerOption(true, 0),
        };
        using var timeout = new CancellationTokenSource(ConnectionTimeout);
        await socket.ConnectAsync(_endPoint, timeout.Token);
        try
        {
            await socket.SendAsync(bytes, SocketFlags.None, timeout.Token);
            Interlocked.Add(ref _stats.BytesSent, bytes.Length);
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The broker closed before taking everything: what it did answer is still worth reading.
            Interlocked.Increment(ref _stats.SendsRefused);
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref _stats.ReadTimeouts);
            return;
        }

        using var received = new MemoryStream();
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        bool clean = false;
        try
        {
            while (true)
            {
                int read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                if (read == 0)
                {
                    clean = true;
                    break;
                }

                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException)
        {
            Interlocked.Increment(ref _stats.Resets);
        }
        catch (OperationCanceledException)
        {
            // A long poll the mutation made long, or a size prefix that promised more bytes: give up on it.
            Interlocked.Increment(ref _stats.ReadTimeouts);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        CheckResponses(received.GetBuffer().AsSpan(0, (int)received.Length), clean, prefix, description, seed);
    }

    /// <summary>
    /// Whatever came back must be whole response frames (a torn tail only when the read did not end
    /// cleanly), and the valid requests' answers must come first, in order; the mutated request may add
    /// an answer (or, when its size prefix lied, a few) or none.
    /// </summary>
    private void CheckResponses(ReadOnlySpan<byte> bytes, bool clean, List<SeedRequest> prefix, string description, int seed)
    {
        var expected = prefix.Where(p => p.ExpectsResponse).Select(p => p.CorrelationId).ToList();
        int responses = 0;
        int position = 0;
        while (bytes.Length - position >= 4)
        {
            int size = BinaryPrimitives.ReadInt32BigEndian(bytes[position..]);
            if (size < 4 || size > MaxResponseFrameBytes)
            {
                Violation(seed, description, $"response frame {responses} has size {size}");
                return;
            }

            if (bytes.Length - position - 4 < size)
            {
                break;
            }

            int correlationId = BinaryPrimitives.ReadInt32BigEndian(bytes[(position + 4)..]);
            if (responses < expected.Count && correlationId != expected[responses])
            {
                Violation(seed, description, $"response {responses} has correlation id {correlationId}, expected {expected[responses]}");
            }

            position += 4 + size;
            responses++;
        }

        Interlocked.Add(ref _stats.Responses, responses);
        if (clean && position != bytes.Length)
        {
            Violation(seed, description, $"{bytes.Length - position} stray bytes after {responses} whole response frames");
        }

        if (clean && responses < expected.Count)
        {
            Violation(seed, description, $"{responses} responses, but the {expected.Count} valid requests before the mutated one expect an answer each");
        }
    }

    private void Violation(int seed, string description, string what)
    {
        if (_stats.Violations.Count < 20)
        {
            _stats.Violations.Enqueue($"worker seed {seed}: {what}; requests: {description}");
        }
    }
}
