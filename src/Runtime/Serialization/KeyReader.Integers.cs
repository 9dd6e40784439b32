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
    public uint ReadUInt32(bool descending = false) => ReadUInt32Core(descending, "UInt32");

    /// <summary>Reads an int part.</summary>
    public int ReadInt32(bool descending = false) => (int)(ReadUInt32Core(descending, "Int32") ^ 0x8000_0000u);

    /// <summary>Reads a ulong part.</summary>
    public ulong ReadUInt64(bool descending = false) => ReadUInt64Core(descending, "UInt64");

    /// <summary>Reads a long part.</summary>
    public long ReadInt64(bool descending = false) =>
        (long)(ReadUInt64Core(descending, "Int64") ^ 0x8000_0000_0000_0000UL);

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
