using FastLog.Protocol.Messages;

namespace FastLog.Protocol.Tests;

/// <summary>Small helpers to encode and decode through the public API.</summary>
internal static class Codec
{
    public static byte[] Encode(IKafkaMessage message, short version)
    {
        var buffer = new byte[message.ComputeSize(version)];
        var writer = new KafkaWriter(buffer);
        message.Write(ref writer, version);
        Assert.Equal(buffer.Length, writer.Position);
        return buffer;
    }

    public static IKafkaMessage Decode(ApiKey api, bool isRequest, short version, byte[] bytes)
    {
        var reader = new KafkaReader(bytes.AsMemory());
        IKafkaMessage message = isRequest
            ? KafkaApis.ReadRequest(api, version, ref reader)
            : KafkaApis.ReadResponse(api, version, ref reader);
        Assert.True(reader.IsAtEnd, $"{reader.RemainingBytes} bytes left unread");
        return message;
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(string.Concat(hex.Where(char.IsAsciiHexDigit)));
}
