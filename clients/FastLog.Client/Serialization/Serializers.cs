using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace FastLog.Client.Serialization;

/// <summary>
/// Built-in serializers. Numbers are big-endian, as the Java client's <c>IntegerSerializer</c>/<c>LongSerializer</c>
/// write them, so keys hash to the same partition as theirs.
/// </summary>
public static class Serializers
{
    /// <summary>Writes the array as is.</summary>
    public static ISerializer<byte[]> ByteArray { get; } = new ByteArraySerializer();

    /// <summary>Writes the memory as is.</summary>
    public static ISerializer<ReadOnlyMemory<byte>> Memory { get; } = new MemorySerializer();

    /// <summary>UTF-8 text.</summary>
    public static ISerializer<string> Utf8 { get; } = new Utf8Serializer();

    /// <summary>Four bytes, big-endian.</summary>
    public static ISerializer<int> Int32 { get; } = new Int32Serializer();

    /// <summary>Eight bytes, big-endian.</summary>
    public static ISerializer<long> Int64 { get; } = new Int64Serializer();

    /// <summary>For <see cref="Serialization.Null"/> keys or values: always written as null.</summary>
    public static ISerializer<Null> Null { get; } = new NullSerializer();

    /// <summary>The built-in serializer for <typeparamref name="T"/>, or null when there is none.</summary>
    internal static ISerializer<T>? Default<T>() =>
        typeof(T) == typeof(byte[]) ? (ISerializer<T>)ByteArray
        : typeof(T) == typeof(ReadOnlyMemory<byte>) ? (ISerializer<T>)Memory
        : typeof(T) == typeof(string) ? (ISerializer<T>)Utf8
        : typeof(T) == typeof(int) ? (ISerializer<T>)Int32
        : typeof(T) == typeof(long) ? (ISerializer<T>)Int64
        : typeof(T) == typeof(Null) ? (ISerializer<T>)Null
        : null;

    private sealed class ByteArraySerializer : ISerializer<byte[]>, IRawBytesSerializer<byte[]>
    {
        public void Serialize(byte[] value, IBufferWriter<byte> destination, in SerializationContext context) => destination.Write(value);

        public ReadOnlySpan<byte> GetBytes(byte[] value) => value;
    }

    private sealed class MemorySerializer : ISerializer<ReadOnlyMemory<byte>>, IRawBytesSerializer<ReadOnlyMemory<byte>>
    {
        public void Serialize(ReadOnlyMemory<byte> value, IBufferWriter<byte> destination, in SerializationContext context) =>
            destination.Write(value.Span);

        public ReadOnlySpan<byte> GetBytes(ReadOnlyMemory<byte> value) => value.Span;
    }

    private sealed class Utf8Serializer : ISerializer<string>
    {
        public void Serialize(string value, IBufferWriter<byte> destination, in SerializationContext context)
        {
            // The exact count costs a pass over the string but never over-reserves a large buffer.
            int length = Encoding.UTF8.GetByteCount(value);
            Span<byte> span = destination.GetSpan(length);
            destination.Advance(Encoding.UTF8.GetBytes(value, span));
        }
    }

    private sealed class Int32Serializer : ISerializer<int>
    {
        public void Serialize(int value, IBufferWriter<byte> destination, in SerializationContext context)
        {
            BinaryPrimitives.WriteInt32BigEndian(destination.GetSpan(sizeof(int)), value);
            destination.Advance(sizeof(int));
        }
    }

    private sealed class Int64Serializer : ISerializer<long>
    {
        public void Serialize(long value, IBufferWriter<byte> destination, in SerializationContext context)
        {
            BinaryPrimitives.WriteInt64BigEndian(destination.GetSpan(sizeof(long)), value);
            destination.Advance(sizeof(long));
        }
    }

    private sealed class NullSerializer : ISerializer<Null>
    {
        public void Serialize(Null value, IBufferWriter<byte> destination, in SerializationContext context)
        {
            // Unreachable: Null has no instances, and null references are written as null by the producer.
        }
    }
}
