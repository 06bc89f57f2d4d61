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
}
