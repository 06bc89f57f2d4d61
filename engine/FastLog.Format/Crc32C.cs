using System.IO.Hashing;

namespace FastLog.Format;

/// <summary>
/// CRC-32C (Castagnoli: polynomial 0x1EDC6F41, reflected, init and final xor 0xFFFFFFFF), the
/// checksum of RecordBatch v2. Delegates to System.IO.Hashing, which uses the CPU's CRC
/// instructions; check value CRC-32C("123456789") = 0xE3069283.
/// </summary>
public static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data) => Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data);
}
