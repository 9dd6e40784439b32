using System.Buffers.Binary;
using System.Numerics;

namespace Persistence.Storage;

/// <summary>CRC-32C (Castagnoli), computed with the SSE4.2 / ARMv8 instructions through <see cref="BitOperations.Crc32C(uint, ulong)"/>.</summary>
internal static class Checksum
{
    /// <summary>The CRC-32C of <paramref name="data"/>, continuing from <paramref name="seed"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data, uint seed = 0)
    {
        var crc = ~seed;
        var i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        }

        for (; i < data.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, data[i]);
        }

        return ~crc;
    }
}
