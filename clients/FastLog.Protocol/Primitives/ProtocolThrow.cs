using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace FastLog.Protocol;

/// <summary>
/// Cold throw helpers. Keeping the throw sites out of the readers keeps the hot methods small enough
/// to inline; every helper runs before any allocation sized by the offending input.
/// </summary>
internal static class ProtocolThrow
{
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Truncated(int neededBytes, int remainingBytes) =>
        throw new ProtocolException(
            ErrorCode.InvalidRequest,
            $"Message truncated: needed {neededBytes} bytes, {remainingBytes} remain.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void NegativeLength(long length) =>
        throw new ProtocolException(ErrorCode.InvalidRequest, $"Invalid negative length {length}.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void LengthPastEnd(long lengthBytes, int remainingBytes) =>
        throw new ProtocolException(
            ErrorCode.InvalidRequest,
            $"Length {lengthBytes} exceeds the {remainingBytes} bytes remaining.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void StringTooLong(long lengthBytes) =>
        throw new ProtocolException(ErrorCode.InvalidRequest, $"String length {lengthBytes} exceeds 32767.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ArrayTooLong(long count, int remainingBytes) =>
        throw new ProtocolException(
            ErrorCode.InvalidRequest,
            $"Array count {count} cannot fit in the {remainingBytes} bytes remaining.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void VarIntTooLong() =>
        throw new ProtocolException(ErrorCode.InvalidRequest, "Unsigned varint longer than 5 bytes or above 2^32-1.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void UnexpectedNull(string what) =>
        throw new ProtocolException(ErrorCode.InvalidRequest, $"{what} is null in a version where it cannot be.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void TagsOutOfOrder(uint previousTag, uint tag) =>
        throw new ProtocolException(
            ErrorCode.InvalidRequest,
            $"Tagged field {tag} follows {previousTag}; tags must be strictly ascending.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void TaggedFieldSizeMismatch(uint tag, int unreadBytes) =>
        throw new ProtocolException(
            ErrorCode.InvalidRequest,
            $"Tagged field {tag} left {unreadBytes} bytes of its declared size unread.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void FrameTooLarge(long frameBytes, int maxFrameBytes) =>
        throw new ProtocolException(
            ErrorCode.InvalidRequest,
            $"Frame of {frameBytes} bytes is negative or above the {maxFrameBytes}-byte limit.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void UnsupportedVersion(ApiKey apiKey, short version) =>
        throw new ProtocolException(
            ErrorCode.UnsupportedVersion,
            $"{apiKey} version {version} is outside the range this codec supports.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void UnknownApiKey(short apiKey) =>
        throw new ProtocolException(ErrorCode.UnsupportedVersion, $"API key {apiKey} is not supported.");

    // Writer-side failures are programming errors (sizes computed wrongly, null where the version forbids it),
    // not hostile input, so they use the framework exception types.
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void WriterOverflow(int neededBytes, int remainingBytes) =>
        throw new InvalidOperationException(
            $"Writer buffer too small: needed {neededBytes} bytes, {remainingBytes} remain.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void NullNotAllowed(string fieldName, short version) =>
        throw new InvalidOperationException($"{fieldName} cannot be null in version {version}.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ExternalRecordsWithoutSink() =>
        throw new InvalidOperationException(
            "External records can only be written by a writer created with an external-records list.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ExternalRecordsHaveNoBytes() =>
        throw new InvalidOperationException("External records carry only a length; their bytes are sent by the caller.");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static T UnknownApiKey<T>(ApiKey apiKey) =>
        throw new ProtocolException(ErrorCode.UnsupportedVersion, $"API key {(short)apiKey} has no codec.");
}
