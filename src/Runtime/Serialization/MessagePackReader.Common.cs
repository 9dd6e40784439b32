using System.Globalization;

namespace Persistence.Serialization;

/// <content>
/// .NET types that MessagePack has no format for, in the conventions of the matching <see cref="MessagePackWriter"/>
/// methods.
/// </content>
public ref partial struct MessagePackReader
{
    // Offsets are limited to ±14 hours by DateTimeOffset.
    private const int MaxOffsetMinutes = 14 * 60;
    private const int MaxDayNumber = 3_652_058; // DateOnly.MaxValue.DayNumber

    /// <summary>Reads a Guid written by <see cref="MessagePackWriter.Write(Guid)"/>: a bin of exactly 16 big-endian bytes.</summary>
    public Guid ReadGuid()
    {
        int start = _position;
        ReadOnlySpan<byte> bytes = ReadBinarySpan();
        if (bytes.Length != 16)
        {
            throw SerializationErrors.Create(
                "a Guid as 16 bytes of binary", start, string.Create(CultureInfo.InvariantCulture, $"{bytes.Length} bytes"));
        }

        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>
    /// Reads a decimal written by <see cref="MessagePackWriter.Write(decimal)"/> (invariant text with an optional sign
    /// and decimal point, scale preserved), or any integer (so a member can change from an integer type to decimal).
    /// </summary>
    public decimal ReadDecimal()
    {
        int start = _position;
        if (PeekType() == MessagePackType.Integer)
        {
            return _buffer[_position] == MessagePackCode.UInt64 ? ReadUInt64() : ReadInt64();
        }

        ReadOnlySpan<byte> text = ReadStringSpan();
        const NumberStyles Styles = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;
        if (!decimal.TryParse(text, Styles, CultureInfo.InvariantCulture, out decimal value))
        {
            throw SerializationErrors.Create("a decimal number as text", start, "text that is not one");
        }

        return value;
    }

    /// <summary>
    /// Reads a DateOnly written by <see cref="MessagePackWriter.Write(DateOnly)"/> (its day number), or the date of a
    /// timestamp (so a member can change from DateTime to DateOnly; the date is the stored instant's UTC date).
    /// </summary>
    public DateOnly ReadDateOnly()
    {
        if (PeekType() == MessagePackType.Extension)
        {
            return DateOnly.FromDateTime(ReadTimestamp());
        }

        int start = _position;
        long day = ReadInt64Core("DateOnly");
        return day is >= 0 and <= MaxDayNumber
            ? DateOnly.FromDayNumber((int)day)
            : throw SerializationErrors.OutOfRange("DateOnly", start, string.Create(CultureInfo.InvariantCulture, $"day number {day}"));
    }

    /// <summary>Reads a TimeOnly written by <see cref="MessagePackWriter.Write(TimeOnly)"/> (its ticks since midnight).</summary>
    public TimeOnly ReadTimeOnly()
    {
        int start = _position;
        long ticks = ReadInt64Core("TimeOnly");
        return ticks is >= 0 and < TimeSpan.TicksPerDay
            ? new TimeOnly(ticks)
            : throw SerializationErrors.OutOfRange("TimeOnly", start, string.Create(CultureInfo.InvariantCulture, $"ticks {ticks}"));
    }

    /// <summary>
    /// Reads a DateTimeOffset written by <see cref="MessagePackWriter.Write(DateTimeOffset)"/>: an array of the UTC
    /// instant as a timestamp and the offset in minutes.
    /// </summary>
    public DateTimeOffset ReadDateTimeOffset()
    {
        int start = _position;
        int count = ReadArrayHeader();
        if (count != 2)
        {
            throw SerializationErrors.Create(
                "a DateTimeOffset as an array of 2 values", start, string.Create(CultureInfo.InvariantCulture, $"{count} values"));
        }

        DateTime utc = ReadTimestamp();
        int offsetStart = _position;
        long minutes = ReadInt64Core("DateTimeOffset");
        long localTicks = utc.Ticks + (Math.Clamp(minutes, -MaxOffsetMinutes, MaxOffsetMinutes) * TimeSpan.TicksPerMinute);
        if (minutes is < -MaxOffsetMinutes or > MaxOffsetMinutes || localTicks < DateTime.MinValue.Ticks || localTicks > DateTime.MaxValue.Ticks)
        {
            throw SerializationErrors.OutOfRange(
                "DateTimeOffset", offsetStart, string.Create(CultureInfo.InvariantCulture, $"an offset of {minutes} minutes"));
        }

        return new DateTimeOffset(localTicks, TimeSpan.FromMinutes(minutes));
    }
}
