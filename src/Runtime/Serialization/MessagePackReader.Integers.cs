using System.Buffers.Binary;
using System.Globalization;

namespace Persistence.Serialization;

/// <content>
/// Integers. Every reader accepts any integer format (fixint, uint8-64, int8-64) whose value fits the target type, so
/// widening or narrowing a member's type keeps existing documents readable; a value that does not fit throws.
/// Floats are never accepted as integers.
/// </content>
public ref partial struct MessagePackReader
{
    /// <summary>Reads an integer that fits <see cref="sbyte"/>.</summary>
    public sbyte ReadSByte()
    {
        int start = _position;
        long value = ReadInt64Core("SByte");
        return value is >= sbyte.MinValue and <= sbyte.MaxValue ? (sbyte)value : throw OutOfRange("SByte", start, value);
    }

    /// <summary>Reads an integer that fits <see cref="short"/>.</summary>
    public short ReadInt16()
    {
        int start = _position;
        long value = ReadInt64Core("Int16");
        return value is >= short.MinValue and <= short.MaxValue ? (short)value : throw OutOfRange("Int16", start, value);
    }

    /// <summary>Reads an integer that fits <see cref="int"/>.</summary>
    public int ReadInt32()
    {
        int start = _position;
        long value = ReadInt64Core("Int32");
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw OutOfRange("Int32", start, value);
    }

    /// <summary>Reads an integer that fits <see cref="long"/>.</summary>
    public long ReadInt64() => ReadInt64Core("Int64");

    /// <summary>Reads an integer that fits <see cref="byte"/>.</summary>
    public byte ReadByte()
    {
        int start = _position;
        ulong value = ReadUInt64Core("Byte");
        return value <= byte.MaxValue ? (byte)value : throw OutOfRange("Byte", start, value);
    }

    /// <summary>Reads an integer that fits <see cref="ushort"/>.</summary>
    public ushort ReadUInt16()
    {
        int start = _position;
        ulong value = ReadUInt64Core("UInt16");
        return value <= ushort.MaxValue ? (ushort)value : throw OutOfRange("UInt16", start, value);
    }

    /// <summary>Reads an integer that fits <see cref="uint"/>.</summary>
    public uint ReadUInt32()
    {
        int start = _position;
        ulong value = ReadUInt64Core("UInt32");
        return value <= uint.MaxValue ? (uint)value : throw OutOfRange("UInt32", start, value);
    }

    /// <summary>Reads an integer that fits <see cref="ulong"/> (any non-negative integer).</summary>
    public ulong ReadUInt64() => ReadUInt64Core("UInt64");

    private long ReadInt64Core(string target)
    {
        int start = _position;
        byte code = ReadCode("an integer");
        if (code <= MessagePackCode.MaxPositiveFixInt)
        {
            return code;
        }

        if (code >= MessagePackCode.MinNegativeFixInt)
        {
            return unchecked((sbyte)code);
        }

        switch (code)
        {
            case MessagePackCode.UInt64:
                ulong value = BinaryPrimitives.ReadUInt64BigEndian(ReadPayload(8, "uint64", start));
                return value <= long.MaxValue ? (long)value : throw OutOfRange(target, start, value);
            case MessagePackCode.Int64:
                return BinaryPrimitives.ReadInt64BigEndian(ReadPayload(8, "int64", start));
            default:
                return ReadSmallInteger(code, start);
        }
    }

    private ulong ReadUInt64Core(string target)
    {
        int start = _position;
        byte code = ReadCode("an integer");
        if (code <= MessagePackCode.MaxPositiveFixInt)
        {
            return code;
        }

        if (code == MessagePackCode.UInt64)
        {
            return BinaryPrimitives.ReadUInt64BigEndian(ReadPayload(8, "uint64", start));
        }

        long value = code >= MessagePackCode.MinNegativeFixInt
            ? unchecked((sbyte)code)
            : code == MessagePackCode.Int64
                ? BinaryPrimitives.ReadInt64BigEndian(ReadPayload(8, "int64", start))
                : ReadSmallInteger(code, start);
        return value >= 0 ? (ulong)value : throw OutOfRange(target, start, value);
    }

    /// <summary>Reads the payload of the integer formats narrower than 64 bits, whose values all fit a long.</summary>
    private long ReadSmallInteger(byte code, int start) => code switch
    {
        MessagePackCode.UInt8 => ReadPayload(1, "uint8", start)[0],
        MessagePackCode.UInt16 => BinaryPrimitives.ReadUInt16BigEndian(ReadPayload(2, "uint16", start)),
        MessagePackCode.UInt32 => BinaryPrimitives.ReadUInt32BigEndian(ReadPayload(4, "uint32", start)),
        MessagePackCode.Int8 => unchecked((sbyte)ReadPayload(1, "int8", start)[0]),
        MessagePackCode.Int16 => BinaryPrimitives.ReadInt16BigEndian(ReadPayload(2, "int16", start)),
        MessagePackCode.Int32 => BinaryPrimitives.ReadInt32BigEndian(ReadPayload(4, "int32", start)),
        _ => throw SerializationErrors.Unexpected("an integer", start, code),
    };

    private static PersistenceSerializationException OutOfRange(string target, int offset, long value) =>
        SerializationErrors.OutOfRange(target, offset, string.Create(CultureInfo.InvariantCulture, $"the integer {value}"));

    private static PersistenceSerializationException OutOfRange(string target, int offset, ulong value) =>
        SerializationErrors.OutOfRange(target, offset, string.Create(CultureInfo.InvariantCulture, $"the integer {value}"));
}
