using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace FastLog.Format;

/// <summary>Cold throw helpers, kept out of hot methods so those stay small enough to inline.</summary>
internal static class FormatThrow
{
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Truncated(int length) =>
        throw new InvalidRecordBatchException(RecordBatchError.Truncated, $"record batch truncated: {length} bytes is less than a batch header");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Invalid(RecordBatchError error, string message) =>
        throw new InvalidRecordBatchException(error, message);

    /// <summary>A record (or the records region) is malformed: Kafka's INVALID_RECORD.</summary>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void InvalidRecord(string message) =>
        throw new InvalidRecordBatchException(RecordBatchError.InvalidRecord, message);

    /// <summary>Same as <see cref="InvalidRecord(string)"/>, typed so it can end an expression-bodied path.</summary>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static T InvalidRecord<T>(string message) =>
        throw new InvalidRecordBatchException(RecordBatchError.InvalidRecord, message);

    /// <summary>Compressed data could not be decoded; the codec's own exception is kept as the inner one.</summary>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void CorruptCompressed(CompressionCodec codec, Exception inner) =>
        throw new InvalidRecordBatchException(
            RecordBatchError.InvalidRecord,
            $"corrupt {codec} compressed records: {inner.Message}",
            inner);

    /// <summary>Decompression would exceed the caller's bound: a compression bomb or an oversized batch.</summary>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void DecompressedTooLarge(CompressionCodec codec, int maxDecompressedBytes) =>
        throw new InvalidRecordBatchException(
            RecordBatchError.InvalidRecord,
            $"{codec} records inflate beyond the limit of {maxDecompressedBytes} bytes");
}
