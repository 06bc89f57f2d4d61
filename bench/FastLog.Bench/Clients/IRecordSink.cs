namespace FastLog.Bench.Clients;

/// <summary>Receives consumed records; the value is only valid during the call.</summary>
internal interface IRecordSink
{
    void OnRecord(ReadOnlySpan<byte> value);
}
