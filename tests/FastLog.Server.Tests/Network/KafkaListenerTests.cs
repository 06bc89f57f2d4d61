using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using FastLog.Engine.Segments;
using FastLog.Server.Network;

namespace FastLog.Server.Tests.Network;

/// <summary>
/// The socket layer on real loopback sockets: framing, strict in-order answers with pipelined
/// processing, bounds (oversize and negative frames, refused requests, connection limit, idle
/// timeout) and file slices sent with sendfile — byte for byte.
/// </summary>
public sealed class KafkaListenerTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly ScriptedProcessor _processor = new();
    private KafkaListener _listener = null!;

    public Task InitializeAsync() => StartAsync(new NetworkOptions { SocketRequestMaxBytes = 1024 * 1024, MaxConnections = 4 });

    public async Task DisposeAsync() => await _listener.DisposeAsync();

    private async Task StartAsync(NetworkOptions options)
    {
        if (_listener is not null)
        {
            await _listener.DisposeAsync();
        }

        _listener = new KafkaListener(new IPEndPoint(IPAddress.Loopback, 0), options, _processor);
        _listener.Start();
    }

    [Fact]
    public async Task Frames_are_answered_in_order_even_when_a_later_one_finishes_first()
    {
        using var client = await TestClient.ConnectAsync(_listener.LocalEndPoint);
        await client.SendFrameAsync("Da-first"u8.ToArray());
        await client.SendFrameAsync("E-second"u8.ToArray());

        // The second request was processed while the first still waits: pipelining.
        await WaitUntilAsync(() => _processor.Seen.Count == 2);
        _processor.Open((byte)'a');

        Assert.Equal("Da-first"u8.ToArray(), await client.ReadFrameAsync(Timeout));
        Assert.Equal("E-second"u8.ToArray(), await client.ReadFrameAsync(Timeout));
    }

    [Fact]
    public async Task A_ready_answer_is_sent_while_a_later_one_still_waits()
    {
        // An acks=all produce waiting for its fsync behind an answered request: under a steady pipelined
        // load the answer queue is never empty, and the ready answer must not wait for it to drain.
        using var client = await TestClient.ConnectAsync(_listener.LocalEndPoint);
        await client.SendFrameAsync("Db-first"u8.ToArray());
        await client.SendFrameAsync("Dc-second"u8.ToArray());
        await WaitUntilAsync(() => _processor.Seen.Count == 2);

        _processor.Open((byte)'b');
        byte[]? first;
        try
        {
            first = await client.ReadFrameAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
            first = null;
        }
        finally
        {
            // Whatever happened, let the second answer go, so the listener can stop.
            _processor.Open((byte)'c');
        }

        Assert.Equal("Db-first"u8.ToArray(), first);
        Assert.Equal("Dc-second"u8.ToArray(), await client.ReadFrameAsync(Timeout));
    }

    [Fact]
    public async Task Requests_without_an_answer_write_nothing_and_the_next_answer_follows()
    {
        using var client = await TestClient.ConnectAsync(_listener.LocalEndPoint);
        await client.SendFrameAsync("N-silent"u8.ToArray());
        await client.SendFrameAsync("E-after"u8.ToArray());
        Assert.Equal("E-after"u8.ToArray(), await client.ReadFrameAsync(Timeout));
    }

    [Fact]
    public async Task Many_pipelined_frames_in_one_write_are_all_answered_in_order()
    {
        using var client = await TestClient.ConnectAsync(_listener.LocalEndPoint);
        var all = new List<byte>();
        for (int i = 0; i < 500; i++)
        {
            var body = new byte[5];
            body[0] = (byte)'E';
            BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(1), i);
            all.AddRange([0, 0, 0, 5]);
            all.AddRange(body);
        }

        await client.SendRawAsync([.. all]);
        for (int i = 0; i < 500; i++)
        {
            var answer = await client.ReadFrameAsync(Timeout);
            Assert.NotNull(answer);
            Assert.Equal(i, BinaryPrimitives.ReadInt32BigEndian(answer.AsSpan(1)));
        }
    }

    [Theory]
    [InlineData(2 * 1024 * 1024)]
    [InlineData(-5)]
    public async Task A_frame_size_out_of_bounds_closes_only_that_connection(int size)
    {
        using var bad = await TestClient.ConnectAsync(_listener.LocalEndPoint);
        using var good = await TestClient.ConnectAsync(_listener.LocalEndPoint);
        var prefix = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(prefix, size);
        await bad.SendRawAsync(prefix);

        Assert.True(await bad.WaitForCloseAsync(Timeout));
        Assert.Empty(_processor.Seen);
        await good.SendFrameAsync("E-ok"u8.ToArray());
        Assert.Equal("E-ok"u8.ToArray(), await good.ReadFrameAsync(Timeout));
    }

    [Theory]
    [InlineData("C-refused")]
    [InlineData("X-unexpected")]
    public async Task A_refused_or_failing_request_closes_the_connection_but_not_the_listener(string body)
    {
        using var client = await TestClient.ConnectAsync(_listener.LocalEndPoint);
        await client.SendFrameAsync(System.Text.Encoding.ASCII.GetBytes(body));
        Assert.True(await client.WaitForCloseAsync(Timeout));

        using var next = await TestClient.ConnectAsync(_listener.LocalEndPoint);
        await next.SendFrameAsync("E-still-here"u8.ToArray());
        Assert.Equal("E-still-here"u8.ToArray(), await next.ReadFrameAsync(Timeout));
    }

    [Fact]
    public async Task Connections_past_the_limit_are_closed()
    {
        var clients = new List<TestClient>();
        try
        {
            for (int i = 0; i < 4; i++)
            {
                var client = await TestClient.ConnectAsync(_listener.LocalEndPoint);
                clients.Add(client);
                await client.SendFrameAsync("E"u8.ToArray());
                Assert.NotNull(await client.ReadFrameAsync(Timeout));
            }

            using var extra = await TestClient.ConnectAsync(_listener.LocalEndPoint);
            Assert.True(await extra.WaitForCloseAsync(Timeout));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Idle_connections_are_closed()
    {
        await StartAsync(new NetworkOptions { ConnectionsMaxIdleMs = 300 });
        using var client = await TestClient.ConnectAsync(_listener.LocalEndPoint);
        await client.SendFrameAsync("E"u8.ToArray());
        Assert.NotNull(await client.ReadFrameAsync(Timeout));
        Assert.True(await client.WaitForCloseAsync(Timeout));
    }

    /// <summary>
    /// Slices above 32 KiB go out with sendfile, smaller ones are copied into the response: either
    /// way, and mixed in one response, every byte arrives in place.
    /// </summary>
    [Theory]
    [InlineData(new[] { 6 * 1024 * 1024 + 123 })]
    [InlineData(new[] { 1, 700, 4096, 32 * 1024 })]
    [InlineData(new[] { 300, 32 * 1024 + 1, 5000, 2 * 1024 * 1024, 17 })]
    public async Task File_slices_arrive_byte_for_byte_between_the_surrounding_bytes(int[] sliceLengths)
    {
        string path = Path.GetTempFileName();
        try
        {
            var content = new byte[sliceLengths.Sum() + 2000];
            new Random(7).NextBytes(content);
            await File.WriteAllBytesAsync(path, content);
            using var handle = File.OpenHandle(path);
            var slices = new List<FileSlice>();
            long position = 1000;
            foreach (int length in sliceLengths)
            {
                slices.Add(new FileSlice(handle, position, length));
                position += length;
            }

            _processor.FilesToSend = slices;

            using var client = await TestClient.ConnectAsync(_listener.LocalEndPoint);
            await client.SendFrameAsync("F"u8.ToArray());
            var answer = await client.ReadFrameAsync(Timeout);

            Assert.NotNull(answer);
            Assert.Equal(sliceLengths.Sum() + sliceLengths.Length + 2, answer.Length);
            Assert.Equal((byte)'F', answer[0]);
            Assert.Equal((byte)'!', answer[^1]);
            int at = 1;
            foreach (var slice in slices)
            {
                Assert.True(content.AsSpan((int)slice.PositionBytes, slice.LengthBytes).SequenceEqual(answer.AsSpan(at, slice.LengthBytes)));
                at += slice.LengthBytes;
                Assert.Equal((byte)'|', answer[at++]);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Random_garbage_never_takes_the_listener_down()
    {
        // The default connection limit: closed garbage connections may still be counted for a moment.
        await StartAsync(new NetworkOptions { SocketRequestMaxBytes = 1024 * 1024 });
        var random = new Random(42);
        for (int i = 0; i < 200; i++)
        {
            using var client = await TestClient.ConnectAsync(_listener.LocalEndPoint);
            var garbage = new byte[random.Next(1, 64)];
            random.NextBytes(garbage);
            await client.SendRawAsync(garbage);
        }

        using var check = await TestClient.ConnectAsync(_listener.LocalEndPoint);
        await check.SendFrameAsync("E-alive"u8.ToArray());
        Assert.Equal("E-alive"u8.ToArray(), await check.ReadFrameAsync(Timeout));
    }

    [Fact]
    public void A_second_listener_on_a_port_in_use_fails_to_bind()
    {
        // SO_REUSEPORT would let both bind and split the connections between them silently.
        var error = Assert.Throws<SocketException>(() => new KafkaListener(_listener.LocalEndPoint, new NetworkOptions(), _processor));
        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached");
            await Task.Delay(10);
        }
    }
}
