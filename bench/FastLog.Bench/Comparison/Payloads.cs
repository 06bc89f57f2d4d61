namespace FastLog.Bench.Comparison;

/// <summary>
/// The record values: a pool of distinct values of printable ASCII letters drawn at random (like
/// Kafka's producer-perf-test payloads: a little compressible, not trivially), used in turn.
/// </summary>
internal sealed class Payloads
{
    private readonly byte[][] _values;

    public Payloads(int recordBytes, int distinct = 1024, int seed = 42)
    {
        var random = new Random(seed);
        _values = new byte[distinct][];
        for (int i = 0; i < distinct; i++)
        {
            var value = new byte[recordBytes];
            for (int j = 0; j < value.Length; j++)
            {
                value[j] = (byte)('A' + random.Next(26));
            }

            _values[i] = value;
        }
    }

    public byte[] this[int i] => _values[i % _values.Length];
}
