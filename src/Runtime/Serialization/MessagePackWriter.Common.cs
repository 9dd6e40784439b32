using System.Globalization;

namespace Persistence.Serialization;

/// <content>
/// .NET types that MessagePack has no format for. These conventions define the document format; they are read back by
/// the matching <see cref="MessagePackReader"/> methods and are readable by any MessagePack implementation.
/// </content>
public ref partial struct MessagePackWriter
{
    // "-79228162514264337593543950335", "-0.0000000000000000000000000001" and the negative zero
    // "-0.0000000000000000000000000000" are the longest forms: 31 bytes.
    private const int MaxDecimalChars = 32;

    /// <summary>
    /// Writes a Guid as bin8 of 16 bytes in big-endian (RFC 9562) order, the order of its canonical text form
    /// (<c>00112233-4455-6677-8899-aabbccddeeff</c> is written as bytes 00 11 22 ... ff).
    /// </summary>
    public void Write(Guid value)
    {
        Span<byte> span = Reserve(18);
        span[0] = MessagePackCode.Bin8;
        span[1] = 16;
        value.TryWriteBytes(span[2..], bigEndian: true, out _);
    }

    /// <summary>
    /// Writes a decimal as a str in invariant culture (for example "-12.50"), which keeps the scale: 1.0m and 1.00m
    /// are written differently and read back with their own scale. A negative zero keeps its sign ("-0.00"), which
    /// the invariant format drops, so that every decimal reads back with its own bits. Other implementations can
    /// parse the text exactly.
    /// </summary>
    public void Write(decimal value)
    {
        Span<byte> text = stackalloc byte[MaxDecimalChars];

        // A negative zero formats as "0.00"; the sign goes in front so that the reader's parse restores it.
        int sign = value == 0 && decimal.IsNegative(value) ? 1 : 0;
        text[0] = (byte)'-';
        if (!value.TryFormat(text[sign..], out int written, default, CultureInfo.InvariantCulture))
        {
            throw new System.Diagnostics.UnreachableException("A decimal's invariant text form is at most 31 bytes.");
        }

        written += sign;
        WriteStringHeader(written);
        WriteRaw(text[..written]);
    }

    /// <summary>Writes a DateOnly as the integer of its <see cref="DateOnly.DayNumber"/> (days since 0001-01-01).</summary>
    public void Write(DateOnly value) => Write((long)value.DayNumber);

    /// <summary>Writes a TimeOnly as the integer of its <see cref="TimeOnly.Ticks"/> (100 ns units since midnight).</summary>
    public void Write(TimeOnly value) => Write(value.Ticks);

    /// <summary>
    /// Writes a DateTimeOffset as a fixarray of two values: the UTC instant as a timestamp (see
    /// <see cref="WriteTimestamp(DateTime)"/>), then the offset from UTC in whole minutes as an integer.
    /// </summary>
    public void Write(DateTimeOffset value)
    {
        Reserve(1)[0] = MessagePackCode.MinFixArray | 2;
        WriteTimestamp(value.UtcDateTime);
        Write((long)value.TotalOffsetMinutes);
    }
}
