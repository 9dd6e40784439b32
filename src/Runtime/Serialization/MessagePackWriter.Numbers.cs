using System.Buffers.Binary;

namespace Persistence.Serialization;

/// <content>Integers and floating-point numbers.</content>
public ref partial struct MessagePackWriter
{
    /// <summary>Writes an integer in the smallest format that holds it (see <see cref="Write(long)"/>).</summary>
    public void Write(sbyte value) => Write((long)value);

    /// <summary>Writes an integer in the smallest format that holds it (see <see cref="Write(long)"/>).</summary>
    public void Write(short value) => Write((long)value);

    /// <summary>Writes an integer in the smallest format that holds it (see <see cref="Write(long)"/>).</summary>
    public void Write(int value) => Write((long)value);

    /// <summary>
    /// Writes an integer in the smallest format that holds it: non-negative values as positive fixint, uint8, uint16,
    /// uint32 or uint64; negative values as negative fixint (-32 to -1), int8, int16, int32 or int64.
    /// </summary>
    public void Write(long value)
    {
        if (value >= 0)
        {
            Write((ulong)value);
        }
        else if (value >= -32)
        {
            Reserve(1)[0] = unchecked((byte)value);
        }
        else if (value >= sbyte.MinValue)
        {
            Span<byte> span = Reserve(2);
            span[0] = MessagePackCode.Int8;
            span[1] = unchecked((byte)value);
        }
        else if (value >= short.MinValue)
        {
            Span<byte> span = Reserve(3);
            span[0] = MessagePackCode.Int16;
            BinaryPrimitives.WriteInt16BigEndian(span[1..], (short)value);
        }
        else if (value >= int.MinValue)
        {
            Span<byte> span = Reserve(5);
            span[0] = MessagePackCode.Int32;
            BinaryPrimitives.WriteInt32BigEndian(span[1..], (int)value);
        }
        else
        {
            Span<byte> span = Reserve(9);
            span[0] = MessagePackCode.Int64;
            BinaryPrimitives.WriteInt64BigEndian(span[1..], value);
        }
    }

    /// <summary>Writes an integer in the smallest format that holds it (see <see cref="Write(ulong)"/>).</summary>
    public void Write(byte value) => Write((ulong)value);

    /// <summary>Writes an integer in the smallest format that holds it (see <see cref="Write(ulong)"/>).</summary>
    public void Write(ushort value) => Write((ulong)value);

    /// <summary>Writes an integer in the smallest format that holds it (see <see cref="Write(ulong)"/>).</summary>
    public void Write(uint value) => Write((ulong)value);

    /// <summary>Writes an integer as positive fixint (0-127), uint8, uint16, uint32 or uint64, whichever is smallest.</summary>
    public void Write(ulong value)
    {
        if (value <= MessagePackCode.MaxPositiveFixInt)
        {
            Reserve(1)[0] = (byte)value;
        }
        else if (value <= byte.MaxValue)
        {
            Span<byte> span = Reserve(2);
            span[0] = MessagePackCode.UInt8;
            span[1] = (byte)value;
        }
        else if (value <= ushort.MaxValue)
        {
            Span<byte> span = Reserve(3);
            span[0] = MessagePackCode.UInt16;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)value);
        }
        else if (value <= uint.MaxValue)
        {
            Span<byte> span = Reserve(5);
            span[0] = MessagePackCode.UInt32;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)value);
        }
        else
        {
            Span<byte> span = Reserve(9);
            span[0] = MessagePackCode.UInt64;
            BinaryPrimitives.WriteUInt64BigEndian(span[1..], value);
        }
    }

    /// <summary>Writes a float32 (0xca). NaN payloads and the sign of zero are preserved bit for bit.</summary>
    public void Write(float value)
    {
        Span<byte> span = Reserve(5);
        span[0] = MessagePackCode.Float32;
        BinaryPrimitives.WriteSingleBigEndian(span[1..], value);
    }

    /// <summary>Writes a float64 (0xcb). NaN payloads and the sign of zero are preserved bit for bit.</summary>
    public void Write(double value)
    {
        Span<byte> span = Reserve(9);
        span[0] = MessagePackCode.Float64;
        BinaryPrimitives.WriteDoubleBigEndian(span[1..], value);
    }
}
