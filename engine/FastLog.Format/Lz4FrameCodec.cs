using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using K4os.Compression.LZ4;

namespace FastLog.Format;

/// <summary>
/// Codec 3: the standard LZ4 <i>frame</i> format as Kafka uses it (little-endian inside the frame).
/// Only the block codec comes from a library; the frame is handled here so the rules Kafka applies
/// hold exactly.
/// </summary>
/// <remarks>
/// <code>
/// magic 04 22 4d 18 | FLG | BD | [content size u64] | HC | blocks... | 00 00 00 00 | [content checksum u32]
/// block: u32 size (bit 31 = stored uncompressed) | data | [u32 xxHash32 of data]
/// </code>
/// Decoding accepts what Kafka's reader accepts: version 01, independent blocks only (linked blocks
/// are refused), reserved bits 0, block max size id 4-7, optional content size (checked against
/// the output), optional block and content checksums (verified), HC verified. Encoding writes what
/// Kafka's writer writes: FLG 0x60, BD 0x40 (64 KB blocks), no optional fields.
/// </remarks>
internal static class Lz4FrameCodec
{
    public const uint FrameMagic = 0x184D2204;

    private const int MagicSize = 4;
    private const int ContentSizeFieldSize = 8;
    private const int BlockSizeFieldSize = 4;
    private const int ChecksumSize = 4;
    private const uint UncompressedBlockFlag = 0x8000_0000;

    private const byte FlgVersionMask = 0xC0;
    private const byte FlgVersion01 = 0x40;
    private const byte FlgBlockIndependence = 0x20;
    private const byte FlgBlockChecksum = 0x10;
    private const byte FlgContentSize = 0x08;
    private const byte FlgContentChecksum = 0x04;
    private const byte FlgReservedMask = 0x03;
    private const byte BdReservedMask = 0x8F;
    private const int BdBlockSizeShift = 4;

    /// <summary>Kafka's writer flags: version 01 and independent blocks, nothing optional.</summary>
    private const byte KafkaFlg = FlgVersion01 | FlgBlockIndependence;

    /// <summary>Block max size id 4 = 64 KB, Kafka's default.</summary>
    private const byte KafkaBd = 4 << BdBlockSizeShift;

    private const int KafkaBlockSizeBytes = 64 * 1024;

    /// <summary>The descriptor checksum byte: second byte of xxHash32 (seed 0) over FLG..last descriptor byte.</summary>
    public static byte HeaderChecksum(ReadOnlySpan<byte> descriptor) => (byte)(XxHash32.HashToUInt32(descriptor) >> 8);

    public static int Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes)
    {
        int total = 0;
        int position = 0;
        do
        {
            position += DecompressFrame(source[position..], destination, maxDecompressedBytes, ref total);
        }
        while (position < source.Length);

        return total;
    }

    public static int Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        Span<byte> header = stackalloc byte[MagicSize + 3];
        BinaryPrimitives.WriteUInt32LittleEndian(header, FrameMagic);
        header[MagicSize] = KafkaFlg;
        header[MagicSize + 1] = KafkaBd;
        header[MagicSize + 2] = HeaderChecksum(header.Slice(MagicSize, 2));
        destination.Write(header);
        int total = header.Length;

        for (int offset = 0; offset < source.Length; offset += KafkaBlockSizeBytes)
        {
            var chunk = source.Slice(offset, Math.Min(KafkaBlockSizeBytes, source.Length - offset));
            var span = destination.GetSpan(BlockSizeFieldSize + Math.Max(LZ4Codec.MaximumOutputSize(chunk.Length), chunk.Length));
            int encoded = LZ4Codec.Encode(chunk, span[BlockSizeFieldSize..], LZ4Level.L00_FAST);
            int blockBytes;
            if (encoded <= 0 || encoded >= chunk.Length)
            {
                // Incompressible: store it, as the LZ4 frame format allows, rather than grow it.
                chunk.CopyTo(span[BlockSizeFieldSize..]);
                BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)chunk.Length | UncompressedBlockFlag);
                blockBytes = chunk.Length;
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)encoded);
                blockBytes = encoded;
            }

            destination.Advance(BlockSizeFieldSize + blockBytes);
            total += BlockSizeFieldSize + blockBytes;
        }

        Span<byte> endMark = stackalloc byte[BlockSizeFieldSize];
        endMark.Clear();
        destination.Write(endMark);
        return total + BlockSizeFieldSize;
    }

    /// <summary>Decodes one frame; returns the bytes of <paramref name="source"/> it occupied.</summary>
    private static int DecompressFrame(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes, ref int total)
    {
        if (source.Length < MagicSize + 3 || BinaryPrimitives.ReadUInt32LittleEndian(source) != FrameMagic)
        {
            FormatThrow.InvalidRecord("not an LZ4 frame (bad magic or truncated header)");
        }

        byte flg = source[MagicSize];
        byte bd = source[MagicSize + 1];
        if ((flg & FlgVersionMask) != FlgVersion01)
        {
            FormatThrow.InvalidRecord($"unsupported LZ4 frame version (FLG 0x{flg:x2})");
        }

        if ((flg & FlgBlockIndependence) == 0)
        {
            FormatThrow.InvalidRecord("LZ4 frames with linked blocks are not supported");
        }

        if ((flg & FlgReservedMask) != 0 || (bd & BdReservedMask) != 0)
        {
            FormatThrow.InvalidRecord($"LZ4 frame reserved bits set (FLG 0x{flg:x2}, BD 0x{bd:x2})");
        }

        int blockSizeId = bd >> BdBlockSizeShift;
        if (blockSizeId < 4)
        {
            FormatThrow.InvalidRecord($"LZ4 block max size id {blockSizeId} is not 4-7");
        }

        // Ids 4..7 are 64 KB, 256 KB, 1 MB, 4 MB: 2^(8 + 2 * id).
        int maxBlockBytes = 1 << (8 + (2 * blockSizeId));
        bool hasBlockChecksum = (flg & FlgBlockChecksum) != 0;
        bool hasContentSize = (flg & FlgContentSize) != 0;
        bool hasContentChecksum = (flg & FlgContentChecksum) != 0;

        int descriptorEnd = MagicSize + 2 + (hasContentSize ? ContentSizeFieldSize : 0);
        if (source.Length <= descriptorEnd)
        {
            FormatThrow.InvalidRecord("LZ4 frame descriptor truncated");
        }

        if (source[descriptorEnd] != HeaderChecksum(source[MagicSize..descriptorEnd]))
        {
            FormatThrow.InvalidRecord("LZ4 frame header checksum mismatch");
        }

        ulong declaredContentBytes = hasContentSize ? BinaryPrimitives.ReadUInt64LittleEndian(source[(MagicSize + 2)..]) : 0;
        int position = descriptorEnd + 1;
        int frameBytes = 0;
        var contentHash = hasContentChecksum ? new XxHash32() : null;

        while (true)
        {
            if (source.Length - position < BlockSizeFieldSize)
            {
                FormatThrow.InvalidRecord("LZ4 frame truncated before its end mark");
            }

            uint rawSize = BinaryPrimitives.ReadUInt32LittleEndian(source[position..]);
            position += BlockSizeFieldSize;
            if (rawSize == 0)
            {
                break;
            }

            bool stored = (rawSize & UncompressedBlockFlag) != 0;
            int blockBytes = (int)(rawSize & ~UncompressedBlockFlag);
            int trailerBytes = hasBlockChecksum ? ChecksumSize : 0;
            if (blockBytes > maxBlockBytes || blockBytes > source.Length - position - trailerBytes)
            {
                FormatThrow.InvalidRecord($"LZ4 block size {blockBytes} exceeds the frame's {maxBlockBytes} or the bytes left");
            }

            var block = source.Slice(position, blockBytes);
            position += blockBytes;
            if (hasBlockChecksum)
            {
                if (XxHash32.HashToUInt32(block) != BinaryPrimitives.ReadUInt32LittleEndian(source[position..]))
                {
                    FormatThrow.InvalidRecord("LZ4 block checksum mismatch");
                }

                position += ChecksumSize;
            }

            int allowance = maxDecompressedBytes - total;
            int written;
            if (stored)
            {
                if (blockBytes > allowance)
                {
                    FormatThrow.DecompressedTooLarge(CompressionCodec.Lz4, maxDecompressedBytes);
                }

                destination.Write(block);
                written = blockBytes;
                contentHash?.Append(block);
            }
            else
            {
                // A block inflates to at most maxBlockBytes; offering less than that when the
                // allowance is smaller makes an over-limit block fail to decode rather than grow.
                int capacity = Math.Min(maxBlockBytes, allowance);
                var span = destination.GetSpan(Math.Max(capacity, 1))[..capacity];
                written = LZ4Codec.Decode(block, span);
                if (written < 0)
                {
                    FormatThrow.InvalidRecord(capacity < maxBlockBytes
                        ? $"LZ4 block is corrupt or inflates beyond the limit of {maxDecompressedBytes} bytes"
                        : "LZ4 block is corrupt");
                }

                contentHash?.Append(span[..written]);
                destination.Advance(written);
            }

            total += written;
            frameBytes += written;
        }

        if (hasContentChecksum)
        {
            if (source.Length - position < ChecksumSize)
            {
                FormatThrow.InvalidRecord("LZ4 content checksum truncated");
            }

            if (contentHash!.GetCurrentHashAsUInt32() != BinaryPrimitives.ReadUInt32LittleEndian(source[position..]))
            {
                FormatThrow.InvalidRecord("LZ4 content checksum mismatch");
            }

            position += ChecksumSize;
        }

        if (hasContentSize && declaredContentBytes != (ulong)frameBytes)
        {
            FormatThrow.InvalidRecord($"LZ4 frame declares {declaredContentBytes} bytes but holds {frameBytes}");
        }

        return position;
    }
}
