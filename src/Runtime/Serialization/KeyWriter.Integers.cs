using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Persistence.Serialization;

/// <content>
/// Integers: 8- and 16-bit and 128-bit ones in fixed width, 32- and 64-bit ones in a variable-length form whose first
/// byte gives the length. A descending part is the bitwise complement of the ascending one. Enums are written as their
/// underlying integer type.
/// </content>
public ref partial struct KeyWriter
{
    /// <summary>Writes a bool: 0x00 for false, 0x01 for true.</summary>
    public void WriteBoolean(bool value, bool descending = false) =>
        Reserve(1)[0] = (byte)((value ? 1 : 0) ^ Mask(descending));

    /// <summary>Writes a byte as itself.</summary>
    public void WriteByte(byte value, bool descending = false) => Reserve(1)[0] = (byte)(value ^ Mask(descending));

    /// <summary>Writes an sbyte with its sign bit flipped.</summary>
    public void WriteSByte(sbyte value, bool descending = false) => WriteByte((byte)(value ^ sbyte.MinValue), descending);

    /// <summary>Writes a ushort, 2 bytes big-endian.</summary>
    public void WriteUInt16(ushort value, bool descending = false) =>
        BinaryPrimitives.WriteUInt16BigEndian(Reserve(2), descending ? (ushort)~value : value);

    /// <summary>Writes a short, 2 bytes big-endian with its sign bit flipped.</summary>
    public void WriteInt16(short value, bool descending = false) => WriteUInt16((ushort)(value ^ short.MinValue), descending);

    /// <summary>Writes a char as its UTF-16 code unit (see <see cref="WriteUInt16"/>).</summary>
    public void WriteChar(char value, bool descending = false)
    {
        _charsAt?.Add(_length);
        WriteUInt16(value, descending);
    }

    /// <summary>Writes a uint in 1 to 5 bytes (see <see cref="WriteUInt64"/>).</summary>
    public void WriteUInt32(uint value, bool descending = false) => WriteUInt64(value, descending);

    /// <summary>Writes an int in 1 to 5 bytes (see <see cref="WriteInt64"/>); the same bytes as the long of equal value.</summary>
    public void WriteInt32(int value, bool descending = false) => WriteInt64(value, descending);

    /// <summary>
    /// Writes a ulong in 1 to 9 bytes: the number n of significant bytes (0 to 8; 0 for zero), then those n bytes
    /// big-endian. Longer encodings hold larger values, so the order holds; the first byte gives the length.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUInt64(ulong value, bool descending = false)
    {
        int n = SignificantBytes(value);
        WriteVariable((byte)n, value, n, descending);
    }

    /// <summary>
    /// Writes a long in 1 to 9 bytes. A value v ≥ 0 is 0x80 + n, then the n significant bytes of v (0 to 8; none for
    /// zero). A negative v is 0x7F - n, then the low n bytes of v, where n counts the significant bytes of -v - 1 (none
    /// for -1). More bytes mean a value further from zero, so the first byte orders by sign and magnitude and the rest
    /// in two's complement within a length. Values of 1 to 1,000,000 take 2 to 4 bytes instead of 8.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt64(long value, bool descending = false)
    {
        if (value >= 0)
        {
            int n = SignificantBytes((ulong)value);
            WriteVariable((byte)(0x80 + n), (ulong)value, n, descending);
        }
        else
        {
            int n = SignificantBytes((ulong)~value);
            WriteVariable((byte)(0x7F - n), (ulong)value, n, descending);
        }
    }

    /// <summary>Writes a long as 8 bytes big-endian with its sign bit flipped (fixed-width internal entries).</summary>
    internal void WriteFixedInt64(long value) => WriteFixed64((ulong)value ^ 0x8000_0000_0000_0000UL, descending: false);

    /// <summary>The bytes a value needs without its leading zero bytes (0 for zero, 8 at most).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int SignificantBytes(ulong value) => (71 - System.Numerics.BitOperations.LeadingZeroCount(value)) >> 3;

    /// <summary>Writes <paramref name="header"/> then the low <paramref name="n"/> bytes of <paramref name="bits"/> big-endian.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteVariable(byte header, ulong bits, int n, bool descending)
    {
        Span<byte> span = Reserve(1 + n);
        ulong mask = descending ? ulong.MaxValue : 0;
        span[0] = (byte)(header ^ (byte)mask);
        if (n > 0)
        {
            Span<byte> all = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(all, bits ^ mask);
            all[(8 - n)..].CopyTo(span[1..]);
        }
    }

    private void WriteFixed32(uint value, bool descending) =>
        BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), descending ? ~value : value);

    private void WriteFixed64(ulong value, bool descending) =>
        BinaryPrimitives.WriteUInt64BigEndian(Reserve(8), descending ? ~value : value);

    /// <summary>Writes a UInt128, 16 bytes big-endian.</summary>
    public void WriteUInt128(UInt128 value, bool descending = false) =>
        BinaryPrimitives.WriteUInt128BigEndian(Reserve(16), descending ? ~value : value);

    /// <summary>Writes an Int128, 16 bytes big-endian with its sign bit flipped.</summary>
    public void WriteInt128(Int128 value, bool descending = false) =>
        WriteUInt128((UInt128)value ^ (UInt128.One << 127), descending);

    /// <summary>
    /// Writes a Guid as its 16 big-endian bytes (<c>TryWriteBytes(bigEndian: true)</c>), whose byte order is exactly
    /// the order of <see cref="Guid.CompareTo(Guid)"/>.
    /// </summary>
    public void WriteGuid(Guid value, bool descending = false)
    {
        int start = _length;
        value.TryWriteBytes(Reserve(16), bigEndian: true, out _);
        if (descending)
        {
            InvertFrom(start);
        }
    }
}
