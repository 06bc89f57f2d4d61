using FastLog.Engine.Segments;

namespace FastLog.Engine.Tests.Segments;

/// <summary>
/// The in-memory window of a segment's newest batches: exact answers near the tail, a referral to
/// the file for anything older or anything the writer overtook, never a wrong position.
/// </summary>
public sealed class RecentBatchesTests
{
    [Fact]
    public void Finds_the_first_batch_reaching_an_offset_among_a_segments_first_batches()
    {
        var recent = new RecentBatches();
        recent.Record(lastOffset: 9, position: 0, sizeBytes: 100);   // offsets 0..9
        recent.Record(lastOffset: 14, position: 100, sizeBytes: 50); // 10..14
        recent.Record(lastOffset: 30, position: 150, sizeBytes: 70); // 15..30

        Assert.Equal((true, 0, 100), Find(recent, 0, 220));
        Assert.Equal((true, 100, 50), Find(recent, 10, 220));
        Assert.Equal((true, 100, 50), Find(recent, 14, 220));
        Assert.Equal((true, 150, 70), Find(recent, 15, 220));
        Assert.Equal((true, 150, 70), Find(recent, 30, 220));

        // Past the last batch, or past the size the reader saw: known to be absent.
        Assert.Equal((true, -1, 0), Find(recent, 31, 220));
        Assert.Equal((true, -1, 0), Find(recent, 20, 150));
        Assert.Equal((true, -1, 0), Find(recent, 20, 219));
    }

    [Fact]
    public void Offsets_older_than_the_window_are_left_to_the_file()
    {
        var recent = new RecentBatches();

        // A segment loaded from disk: its first recorded batch is not at position 0.
        recent.Record(lastOffset: 109, position: 5000, sizeBytes: 100);
        recent.Record(lastOffset: 119, position: 5100, sizeBytes: 100);
        Assert.False(Find(recent, 50, 5200).Found);
        Assert.False(Find(recent, 100, 5200).Found); // 100..109 might start in an earlier batch: only the file knows
        Assert.Equal((true, 5100, 100), Find(recent, 110, 5200));

        // Many batches: only the newer half of the slots is searched.
        var full = new RecentBatches();
        for (int i = 0; i < 10 * RecentBatches.Capacity; i++)
        {
            full.Record(lastOffset: (10L * i) + 9, position: 100 * i, sizeBytes: 100);
        }

        int size = 100 * 10 * RecentBatches.Capacity;
        long newest = full.Count - 1;
        Assert.Equal((true, (int)(100 * newest), 100), Find(full, (10 * newest) + 3, size));
        long oldestSearched = full.Count - (RecentBatches.Capacity / 2);
        Assert.False(Find(full, (10 * oldestSearched) + 3, size).Found);
        Assert.Equal((true, (int)(100 * (oldestSearched + 1)), 100), Find(full, (10 * (oldestSearched + 1)) + 3, size));
        Assert.False(Find(full, 5, size).Found);
    }

    [Fact]
    public void An_empty_window_knows_nothing()
    {
        Assert.False(Find(new RecentBatches(), 0, 0).Found);
    }

    [Fact]
    public async Task Readers_racing_the_writer_get_exact_answers_or_a_referral()
    {
        // The writer records batch i as offsets [10i, 10i+9] at position 100i. Readers search for
        // offsets near the tail while the writer laps the slots many times over.
        var recent = new RecentBatches();
        const int Batches = 2_000_000;
        int answered = 0;
        int referred = 0;
        int wrong = 0;
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 2).Select(seed => Task.Run(() =>
        {
            var random = new Random(seed);
            while (!stop.IsCancellationRequested)
            {
                long count = recent.Count;
                if (count == 0)
                {
                    continue;
                }

                int sizeBytes = (int)(100 * count);
                long target = Math.Max(0, (10 * count) - random.Next(0, 10 * RecentBatches.Capacity));
                if (!recent.TryFind(target, sizeBytes, out int position, out int batchSizeBytes))
                {
                    Interlocked.Increment(ref referred);
                    continue;
                }

                Interlocked.Increment(ref answered);
                long expected = target / 10 < count ? 100 * (target / 10) : -1;
                if (position != expected || (position >= 0 && batchSizeBytes != 100))
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        })).ToArray();

        for (int i = 0; i < Batches; i++)
        {
            recent.Record((10L * i) + 9, 100 * i, 100);
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.Equal(0, wrong);
        Assert.True(answered > 0, $"no reader was answered from memory ({referred} referred)");
    }

    private static (bool Found, int Position, int Size) Find(RecentBatches recent, long offset, int sizeBytes)
    {
        bool found = recent.TryFind(offset, sizeBytes, out int position, out int size);
        return (found, position, size);
    }
}
