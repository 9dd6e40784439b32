using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Persistence.Serialization;

/// <content>Strings and binary.</content>
public ref partial struct MessagePackWriter
{
    // Up to this many chars the UTF-8 form (at most 3 bytes per UTF-16 char) fits a fixstr or a str8, so the text can
    // be encoded before its header is chosen, without counting first.
    private const int MaxCharsForStr8 = byte.MaxValue / 3;

    /// <summary>What a refused string was to be written as, in the writers' messages.</summary>
    private const string Str = "MessagePack str";

    /// <summary>Writes a string as UTF-8 (fixstr, str8, str16 or str32), or nil when <paramref name="value"/> is null.</summary>
    /// <exception cref="PersistenceSerializationException">The string contains a lone surrogate, which UTF-8 cannot hold.</exception>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteNil();
        }
        else
        {
            WriteString(value.AsSpan());
        }
    }

    /// <summary>
    /// Writes UTF-16 text as a UTF-8 str (fixstr, str8, str16 or str32), encoding straight into the output.
    /// </summary>
    /// <exception cref="PersistenceSerializationException">The text contains a lone surrogate, which UTF-8 cannot hold.</exception>
    public void WriteString(scoped ReadOnlySpan<char> value)
    {
        if (value.Length <= MaxCharsForStr8 && _span.Length - _buffered >= 2 + (value.Length * 3))
        {
            // Encoded once, after a fixstr header's byte; moved one byte on for a str8 header in the rare case that it
            // takes more than 31 bytes. Only in space the output already gave: asking it for the worst case could fail
            // on an output of fixed size that holds the exact bytes.
            Span<byte> free = _span[_buffered..];
            int written = EncodeUtf8(value, free[1..]);
            if (written <= 31)
            {
                free[0] = (byte)(MessagePackCode.MinFixStr | written);
                Commit(1 + written);
            }
            else
            {
                free.Slice(1, written).CopyTo(free[2..]);
                free[0] = MessagePackCode.Str8;
                free[1] = (byte)written;
                Commit(2 + written);
            }

            return;
        }

        // Encoding.UTF8 counts a lone surrogate as the 3-byte replacement character; EncodeUtf8 then rejects it.
        int byteCount = Encoding.UTF8.GetByteCount(value);
        WriteStringHeader(byteCount);
        Span<byte> destination = GetFree(byteCount);
        EncodeUtf8(value, destination[..byteCount]);
        Commit(byteCount);
    }

    /// <summary>Writes already encoded UTF-8 as a str (fixstr, str8, str16 or str32).</summary>
    /// <exception cref="PersistenceSerializationException"><paramref name="utf8"/> is not valid UTF-8.</exception>
    public void WriteStringUtf8(scoped ReadOnlySpan<byte> utf8)
    {
        if (!Utf8.IsValid(utf8))
        {
            int bad = SerializationErrors.FirstInvalidUtf8(utf8);
            throw SerializationErrors.Unwritable(
                "a string of valid UTF-8", Str, string.Create(CultureInfo.InvariantCulture, $"an invalid sequence (0x{utf8[bad]:X2})"),
                string.Create(CultureInfo.InvariantCulture, $"byte index {bad}"));
        }

        WriteStringHeader(utf8.Length);
        WriteRaw(utf8);
    }

    /// <summary>Writes a byte sequence as bin8, bin16 or bin32.</summary>
    public void WriteBinary(scoped ReadOnlySpan<byte> value)
    {
        int length = value.Length;
        if (length <= byte.MaxValue)
        {
            Span<byte> span = Reserve(2);
            span[0] = MessagePackCode.Bin8;
            span[1] = (byte)length;
        }
        else if (length <= ushort.MaxValue)
        {
            Span<byte> span = Reserve(3);
            span[0] = MessagePackCode.Bin16;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)length);
        }
        else
        {
            Span<byte> span = Reserve(5);
            span[0] = MessagePackCode.Bin32;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
        }

        WriteRaw(value);
    }

    /// <summary>
    /// Writes the header of a str of <paramref name="byteCount"/> UTF-8 bytes; the bytes must follow
    /// (<see cref="WriteRaw"/>). Prefer <see cref="WriteString(ReadOnlySpan{char})"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="byteCount"/> is negative.</exception>
    public void WriteStringHeader(int byteCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteCount);
        if (byteCount <= 31)
        {
            Reserve(1)[0] = (byte)(MessagePackCode.MinFixStr | byteCount);
        }
        else if (byteCount <= byte.MaxValue)
        {
            Span<byte> span = Reserve(2);
            span[0] = MessagePackCode.Str8;
            span[1] = (byte)byteCount;
        }
        else if (byteCount <= ushort.MaxValue)
        {
            Span<byte> span = Reserve(3);
            span[0] = MessagePackCode.Str16;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)byteCount);
        }
        else
        {
            Span<byte> span = Reserve(5);
            span[0] = MessagePackCode.Str32;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)byteCount);
        }
    }

    private static int EncodeUtf8(ReadOnlySpan<char> value, Span<byte> destination)
    {
        OperationStatus status = Utf8.FromUtf16(
            value, destination, out int charsRead, out int bytesWritten, replaceInvalidSequences: false, isFinalBlock: true);
        if (status != OperationStatus.Done)
        {
            // The destination is always large enough, so the only failure is invalid UTF-16.
            throw SerializationErrors.Unwritable(
                "a string of valid UTF-16", Str, string.Create(CultureInfo.InvariantCulture, $"a lone surrogate (U+{(int)value[charsRead]:X4})"),
                string.Create(CultureInfo.InvariantCulture, $"char index {charsRead}"));
        }

        return bytesWritten;
    }
}
