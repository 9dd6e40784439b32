using System.Buffers.Binary;

namespace Persistence.Serialization;

/// <content>
/// Fixed-width values. A descending part is the bitwise complement of the ascending one, computed on the integer
/// before it is stored. Enums are written as their underlying integer type.
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
    public void WriteChar(char value, bool descending = false) => WriteUInt16(value, descending);

    /// <summary>Writes a uint, 4 bytes big-endian.</summary>
    public void WriteUInt32(uint value, bool descending = false) =>
        BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), descending ? ~value : value);

    /// <summary>Writes an int, 4 bytes big-endian with its sign bit flipped.</summary>
    public void WriteInt32(int value, bool descending = false) => WriteUInt32((uint)value ^ 0x8000_0000u, descending);

    /// <summary>Writes a ulong, 8 bytes big-endian.</summary>
    public void WriteUInt64(ulong value, bool descending = false) =>
        BinaryPrimitives.WriteUInt64BigEndian(Reserve(8), descending ? ~value : value);

    /// <summary>Writes a long, 8 bytes big-endian with its sign bit flipped.</summary>
    public void WriteInt64(long value, bool descending = false) =>
        WriteUInt64((ulong)value ^ 0x8000_0000_0000_0000UL, descending);

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
