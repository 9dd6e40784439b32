using System.Buffers;
using System.Globalization;

namespace Persistence.Serialization;

/// <content>Strings and byte arrays.</content>
public ref partial struct KeyReader
{
    private const int StackScratchSize = 256;

    /// <summary>Reads a string part.</summary>
    public string ReadString(bool descending = false)
    {
        // A string never has more UTF-16 code units than its encoding has bytes.
        int capacity = _key.Length - _position;
        char[]? rented = null;
        Span<char> chars = capacity <= StackScratchSize
            ? stackalloc char[StackScratchSize]
            : (rented = ArrayPool<char>.Shared.Rent(capacity));
        try
        {
            int count = DecodeString(chars, Mask(descending));
            return new string(chars[..count]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Reads a byte-array part.</summary>
    public byte[] ReadBytes(bool descending = false)
    {
        const string Part = "Bytes";
        int start = _position;
        byte mask = Mask(descending);
        int capacity = _key.Length - _position;
        byte[]? rented = null;
        Span<byte> bytes = capacity <= StackScratchSize
            ? stackalloc byte[StackScratchSize]
            : (rented = ArrayPool<byte>.Shared.Rent(capacity));
        try
        {
            int count = 0;
            while (true)
            {
                byte b = Next(mask, Part, start);
                if (b == 0 && ReadEscape(mask, Part, start))
                {
                    return bytes[..count].ToArray();
                }

                bytes[count++] = b;
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private int DecodeString(scoped Span<char> chars, byte mask)
    {
        const string Part = "String";
        int start = _position;
        int count = 0;
        while (true)
        {
            int offset = _position;
            byte lead = Next(mask, Part, start);
            int unit;
            if (lead < 0x80)
            {
                if (lead == 0 && ReadEscape(mask, Part, start))
                {
                    return count;
                }

                unit = lead;
            }
            else if (lead is >= 0xC2 and < 0xE0)
            {
                unit = ((lead & 0x1F) << 6) | Continuation(mask, start, offset);
            }
            else if (lead is >= 0xE0 and < 0xF0)
            {
                unit = ((lead & 0x0F) << 12) | (Continuation(mask, start, offset) << 6) | Continuation(mask, start, offset);
                if (unit < 0x800)
                {
                    throw Invalid(Part, offset, "an overlong 3-byte sequence");
                }
            }
            else
            {
                throw Invalid(Part, offset, string.Create(CultureInfo.InvariantCulture, $"the lead byte 0x{lead:x2}"));
            }

            chars[count++] = (char)unit;
        }
    }

    private int Continuation(byte mask, int start, int sequenceOffset)
    {
        byte b = Next(mask, "String", start);
        return (b & 0xC0) == 0x80
            ? b & 0x3F
            : throw Invalid(
                "String", sequenceOffset, string.Create(CultureInfo.InvariantCulture, $"0x{b:x2} where a continuation byte belongs"));
    }

    /// <summary>After a content 0x00: true for the terminator (0x01), false for an escaped zero (0xFF).</summary>
    private bool ReadEscape(byte mask, string part, int start)
    {
        int offset = _position;
        byte escape = Next(mask, part, start);
        return escape switch
        {
            0x01 => true,
            0xFF => false,
            _ => throw Invalid(
                part, offset, string.Create(CultureInfo.InvariantCulture, $"0x{escape:x2} after 0x00 instead of 0x01 or 0xFF")),
        };
    }
}
