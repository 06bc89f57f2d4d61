using System.Buffers.Binary;
using System.Text;

namespace FastLog.Client.Serialization;

/// <summary>
/// Built-in deserializers with the byte layouts Kafka's own serializers write: UTF-8 strings, big-endian
/// 32- and 64-bit integers, raw bytes. All are stateless singletons.
/// </summary>
public static class Deserializers
{
    /// <summary>Copies the bytes into a new array; null data gives null (as Confluent.Kafka's does).</summary>
    public static IDeserializer<byte[]> ByteArray { get; } = new ByteArrayDeserializer();

    /// <summary>Decodes UTF-8; null data gives null.</summary>
    public static IDeserializer<string> Utf8 { get; } = new Utf8Deserializer();

    /// <summary>A big-endian 32-bit integer (exactly 4 bytes, as Java's <c>IntegerSerializer</c> writes).</summary>
    public static IDeserializer<int> Int32 { get; } = new Int32Deserializer();

    /// <summary>A big-endian 64-bit integer (exactly 8 bytes, as Java's <c>LongSerializer</c> writes).</summary>
    public static IDeserializer<long> Int64 { get; } = new Int64Deserializer();

    /// <summary>Returns null without reading the bytes (the type exists only to say "not read").</summary>
    public static IDeserializer<Ignore> Ignore { get; } = new IgnoreDeserializer();

    /// <summary>Returns null; data that is not null is an <see cref="InvalidDataException"/>.</summary>
    public static IDeserializer<Null> Null { get; } = new NullDeserializer();

    /// <summary>
    /// The built-in deserializer for <typeparamref name="T"/> (byte[], string, int, long, <see cref="Serialization.Ignore"/>,
    /// <see cref="Serialization.Null"/>), or null when there is none.
    /// </summary>
    public static IDeserializer<T>? Default<T>()
    {
        Type type = typeof(T);
        object? deserializer =
            type == typeof(byte[]) ? ByteArray
            : type == typeof(string) ? Utf8
            : type == typeof(int) ? Int32
            : type == typeof(long) ? Int64
            : type == typeof(Serialization.Ignore) ? Ignore
            : type == typeof(Serialization.Null) ? Null
            : null;
        return deserializer as IDeserializer<T>;
    }

    private static InvalidDataException WrongLength(string what, int expected, ReadOnlySpan<byte> data, bool isNull, DeserializationContext context) =>
        new($"The {(context.IsKey ? "key" : "value")} of a record of {context.Topic} is {(isNull ? "null" : data.Length + " bytes")}; a {what} needs exactly {expected} bytes.");

    private sealed class ByteArrayDeserializer : IDeserializer<byte[]>
    {
        public byte[] Deserialize(ReadOnlySpan<byte> data, bool isNull, DeserializationContext context) => isNull ? null! : data.ToArray();
    }

    private sealed class Utf8Deserializer : IDeserializer<string>
    {
        public string Deserialize(ReadOnlySpan<byte> data, bool isNull, DeserializationContext context) => isNull ? null! : Encoding.UTF8.GetString(data);
    }

    private sealed class Int32Deserializer : IDeserializer<int>
    {
        public int Deserialize(ReadOnlySpan<byte> data, bool isNull, DeserializationContext context) =>
            !isNull && data.Length == sizeof(int)
                ? BinaryPrimitives.ReadInt32BigEndian(data)
                : throw WrongLength("32-bit integer", sizeof(int), data, isNull, context);
    }

    private sealed class Int64Deserializer : IDeserializer<long>
    {
        public long Deserialize(ReadOnlySpan<byte> data, bool isNull, DeserializationContext context) =>
            !isNull && data.Length == sizeof(long)
                ? BinaryPrimitives.ReadInt64BigEndian(data)
                : throw WrongLength("64-bit integer", sizeof(long), data, isNull, context);
    }

    private sealed class IgnoreDeserializer : IDeserializer<Ignore>
    {
        public Ignore Deserialize(ReadOnlySpan<byte> data, bool isNull, DeserializationContext context) => null!;
    }

    private sealed class NullDeserializer : IDeserializer<Null>
    {
        public Null Deserialize(ReadOnlySpan<byte> data, bool isNull, DeserializationContext context) =>
            isNull
                ? null!
                : throw new InvalidDataException(
                    $"The {(context.IsKey ? "key" : "value")} of a record of {context.Topic} should be null but has {data.Length} bytes.");
    }
}
