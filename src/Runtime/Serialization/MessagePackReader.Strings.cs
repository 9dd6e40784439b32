using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace Persistence.Serialization;

/// <content>Strings and binary.</content>
public ref partial struct MessagePackReader
{
    /// <summary>Reads a str as a string. Nil is not a string: use <see cref="ReadNullableString"/> where null is allowed.</summary>
    /// <exception cref="PersistenceSerializationException">The value is not a str, or its bytes are not valid UTF-8.</exception>
    public string ReadString()
    {
        int start = _position;
        ReadOnlySpan<byte> utf8 = ReadStringBytes(out int payloadOffset);

        // ASCII (the common case) is valid UTF-8 and widens directly, without a validation pass of its own.
        if (Ascii.IsValid(utf8))
        {
            return string.Create(utf8.Length, utf8, static (chars, bytes) => Ascii.ToUtf16(bytes, chars, out _));
        }

        ValidateUtf8(utf8, start, payloadOffset);
        return Encoding.UTF8.GetString(utf8);
    }

    /// <summary>Reads a str as a string, or nil as <see langword="null"/>.</summary>
    public string? ReadNullableString() => TryReadNil() ? null : ReadString();

    /// <summary>
    /// Reads a str and returns its UTF-8 bytes without allocating; the span points into the input. The bytes are
    /// validated as UTF-8 (the same check <see cref="ReadString"/> makes).
    /// </summary>
    public ReadOnlySpan<byte> ReadStringSpan()
    {
        int start = _position;
        ReadOnlySpan<byte> utf8 = ReadStringBytes(out int payloadOffset);
        ValidateUtf8(utf8, start, payloadOffset);
        return utf8;
    }

    private static void ValidateUtf8(ReadOnlySpan<byte> utf8, int start, int payloadOffset)
    {
        if (!Utf8.IsValid(utf8))
        {
            throw SerializationErrors.InvalidUtf8("string", start, payloadOffset + SerializationErrors.FirstInvalidUtf8(utf8));
        }
    }

    /// <summary>Reads a str header and returns its payload, not yet validated as UTF-8.</summary>
    private ReadOnlySpan<byte> ReadStringBytes(out int payloadOffset)
    {
        int start = _position;
        byte code = ReadCode("a string");
        long length;
        if (code is >= MessagePackCode.MinFixStr and <= MessagePackCode.MaxFixStr)
        {
            length = code & 0x1f;
        }
        else
        {
            length = code switch
            {
                MessagePackCode.Str8 => ReadPayload(1, "str8 length", start)[0],
                MessagePackCode.Str16 => BinaryPrimitives.ReadUInt16BigEndian(ReadPayload(2, "str16 length", start)),
                MessagePackCode.Str32 => BinaryPrimitives.ReadUInt32BigEndian(ReadPayload(4, "str32 length", start)),
                _ => throw SerializationErrors.Unexpected("a string", start, code),
            };
        }

        payloadOffset = _position;
        return ReadPayload(length, "string", start);
    }

    /// <summary>Reads a bin as a new array. Nil is not binary: use <see cref="ReadNullableBinary"/> where null is allowed.</summary>
    public byte[] ReadBinary() => ReadBinarySpan().ToArray();

    /// <summary>Reads a bin as a new array, or nil as <see langword="null"/>.</summary>
    public byte[]? ReadNullableBinary() => TryReadNil() ? null : ReadBinary();

    /// <summary>Reads a bin (bin8, bin16 or bin32) without copying; the span points into the input. A str is not accepted.</summary>
    public ReadOnlySpan<byte> ReadBinarySpan()
    {
        int start = _position;
        byte code = ReadCode("binary");
        long length = code switch
        {
            MessagePackCode.Bin8 => ReadPayload(1, "bin8 length", start)[0],
            MessagePackCode.Bin16 => BinaryPrimitives.ReadUInt16BigEndian(ReadPayload(2, "bin16 length", start)),
            MessagePackCode.Bin32 => BinaryPrimitives.ReadUInt32BigEndian(ReadPayload(4, "bin32 length", start)),
            _ => throw SerializationErrors.Unexpected("binary", start, code),
        };
        return ReadPayload(length, "binary", start);
    }
}
