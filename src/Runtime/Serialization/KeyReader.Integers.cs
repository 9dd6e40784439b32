using System.Buffers.Binary;
using System.Globalization;

namespace Persistence.Serialization;

/// <content>Fixed-width values (see <see cref="KeyWriter"/> for the layouts).</content>
public ref partial struct KeyReader
{
    /// <summary>Reads a bool part.</summary>
    public bool ReadBoolean(bool descending = false)
    {
        int start = _position;
        byte value = ReadByte(descending);
        return value switch
        {
            0 => false,
            1 => true,
            _ => throw Invalid("Boolean", start, string.Create(CultureInfo.InvariantCulture, $"0x{value:x2}")),
        };
    }

    /// <summary>Reads a byte part.</summary>
    public byte ReadByte(bool descending = false) => (byte)(Take(1, "Byte")[0] ^ Mask(descending));

    /// <summary>Reads an sbyte part.</summary>
    public sbyte ReadSByte(bool descending = false) =>
        (sbyte)((byte)(Take(1, "SByte")[0] ^ Mask(descending)) ^ 0x80);

    /// <summary>Reads a ushort part.</summary>
    public ushort ReadUInt16(bool descending = false) => ReadUInt16Core(descending, "UInt16");

    /// <summary>Reads a short part.</summary>
    public short ReadInt16(bool descending = false) => (short)(ReadUInt16Core(descending, "Int16") ^ 0x8000);

    /// <summary>Reads a char part.</summary>
    public char ReadChar(bool descending = false) => (char)ReadUInt16Core(descending, "Char");

    /// <summary>Reads a uint part.</summary>
    public uint ReadUInt32(bool descending = false)
    {
        int start = _position;
        ulong value = ReadUInt64Variable(descending, "UInt32");
        return value <= uint.MaxValue ? (uint)value : throw Invalid("UInt32", start, "a value beyond UInt32.MaxValue");
    }

    /// <summary>Reads an int part.</summary>
    public int ReadInt32(bool descending = false)
    {
        int start = _position;
        long value = ReadInt64Variable(descending, "Int32");
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw Invalid("Int32", start, "a value beyond the range of Int32");
    }

    /// <summary>Reads a ulong part.</summary>
    public ulong ReadUInt64(bool descending = false) => ReadUInt64Variable(descending, "UInt64");

    /// <summary>Reads a long part.</summary>
    public long ReadInt64(bool descending = false) => ReadInt64Variable(descending, "Int64");

    /// <summary>Reads a long written by <see cref="KeyWriter.WriteFixedInt64"/>.</summary>
    internal long ReadFixedInt64() => (long)(ReadUInt64Core(descending: false, "Int64") ^ 0x8000_0000_0000_0000UL);

    /// <summary>Reads the length byte and the bytes of a variable-length unsigned part (see <see cref="KeyWriter.WriteUInt64"/>).</summary>
    private ulong ReadUInt64Variable(bool descending, string part)
    {
        int start = _position;
        byte mask = Mask(descending);
        int n = Take(1, part)[0] ^ mask;
        if (n > 8)
        {
            throw Invalid(part, start, string.Create(CultureInfo.InvariantCulture, $"the length byte 0x{n:x2}"));
        }

        ulong value = ReadBigEndian(Take(n, part), mask);
        if (KeyWriter.SignificantBytes(value) != n)
        {
            throw Invalid(part, start, "a value written in more bytes than it needs");
        }

        return value;
    }

    /// <summary>Reads the length byte and the bytes of a variable-length signed part (see <see cref="KeyWriter.WriteInt64"/>).</summary>
    private long ReadInt64Variable(bool descending, string part)
    {
        int start = _position;
        byte mask = Mask(descending);
        int header = Take(1, part)[0] ^ mask;
        bool negative = header < 0x80;
        int n = negative ? 0x7F - header : header - 0x80;
        if (n is < 0 or > 8)
        {
            throw Invalid(part, start, string.Create(CultureInfo.InvariantCulture, $"the length byte 0x{header:x2}"));
        }

        ulong bits = ReadBigEndian(Take(n, part), mask);
        if (negative && n < 8)
        {
            bits |= ulong.MaxValue << (8 * n); // the bytes not written are all ones
        }

        if (KeyWriter.SignificantBytes(negative ? ~bits : bits) != n)
        {
            throw Invalid(part, start, "a value written in more bytes than it needs");
        }

        return (long)bits;
    }

    private static ulong ReadBigEndian(ReadOnlySpan<byte> bytes, byte mask)
    {
        ulong value = 0;
        foreach (byte b in bytes)
        {
            value = (value << 8) | (byte)(b ^ mask);
        }

        return value;
    }

    /// <summary>Reads a UInt128 part.</summary>
    public UInt128 ReadUInt128(bool descending = false) => ReadUInt128Core(descending, "UInt128");

    /// <summary>Reads an Int128 part.</summary>
    public Int128 ReadInt128(bool descending = false) =>
        (Int128)(ReadUInt128Core(descending, "Int128") ^ (UInt128.One << 127));

    /// <summary>Reads a Guid part.</summary>
    public Guid ReadGuid(bool descending = false)
    {
        Span<byte> bytes = stackalloc byte[16];
        Take(16, "Guid").CopyTo(bytes);
        if (descending)
        {
            foreach (ref byte b in bytes)
            {
                b = (byte)~b;
            }
        }

        return new Guid(bytes, bigEndian: true);
    }

    private ushort ReadUInt16Core(bool descending, string part)
    {
        ushort raw = BinaryPrimitives.ReadUInt16BigEndian(Take(2, part));
        return descending ? (ushort)~raw : raw;
    }

    private uint ReadUInt32Core(bool descending, string part)
    {
        uint raw = BinaryPrimitives.ReadUInt32BigEndian(Take(4, part));
        return descending ? ~raw : raw;
    }

    private ulong ReadUInt64Core(bool descending, string part)
    {
        ulong raw = BinaryPrimitives.ReadUInt64BigEndian(Take(8, part));
        return descending ? ~raw : raw;
    }

    private UInt128 ReadUInt128Core(bool descending, string part)
    {
        UInt128 raw = BinaryPrimitives.ReadUInt128BigEndian(Take(16, part));
        return descending ? ~raw : raw;
    }
}
