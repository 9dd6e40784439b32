using System.Globalization;

namespace Persistence.Serialization;

/// <content>Dates, times and durations.</content>
public ref partial struct KeyReader
{
    private const int MaxOffsetMinutes = 14 * 60;
    private const int MaxDayNumber = 3_652_058; // DateOnly.MaxValue.DayNumber
    private const long MaxTimeOnlyTicks = TimeSpan.TicksPerDay - 1; // TimeOnly.MaxValue.Ticks

    /// <summary>Reads a DateTime part (Ticks, then Kind).</summary>
    public DateTime ReadDateTime(bool descending = false)
    {
        int start = _position;
        ulong ticks = ReadUInt64Core(descending, "DateTime");
        byte kind = (byte)(Take(1, "DateTime")[0] ^ Mask(descending));
        if (ticks > (ulong)DateTime.MaxValue.Ticks || kind > (byte)DateTimeKind.Local)
        {
            throw Invalid("DateTime", start, string.Create(CultureInfo.InvariantCulture, $"ticks {ticks} and kind {kind}"));
        }

        return new DateTime((long)ticks, (DateTimeKind)kind);
    }

    /// <summary>Reads a DateTimeOffset part (UtcTicks, then the offset in minutes).</summary>
    public DateTimeOffset ReadDateTimeOffset(bool descending = false)
    {
        int start = _position;
        ulong utcTicks = ReadUInt64Core(descending, "DateTimeOffset");
        int minutes = (short)(ReadUInt16Core(descending, "DateTimeOffset") ^ 0x8000);
        long localTicks = (long)Math.Min(utcTicks, (ulong)DateTime.MaxValue.Ticks) + (minutes * TimeSpan.TicksPerMinute);
        if (utcTicks > (ulong)DateTime.MaxValue.Ticks || Math.Abs(minutes) > MaxOffsetMinutes
            || localTicks < DateTime.MinValue.Ticks || localTicks > DateTime.MaxValue.Ticks)
        {
            throw Invalid(
                "DateTimeOffset",
                start,
                string.Create(CultureInfo.InvariantCulture, $"UTC ticks {utcTicks} with an offset of {minutes} minutes"));
        }

        return new DateTimeOffset(localTicks, TimeSpan.FromMinutes(minutes));
    }

    /// <summary>
    /// Reads a DateTimeOffset instant part (its UtcTicks, <see cref="KeyWriter.WriteDateTimeOffsetInstant"/>), as that
    /// instant at offset zero: the key does not hold the offset it was written with.
    /// </summary>
    public DateTimeOffset ReadDateTimeOffsetInstant(bool descending = false)
    {
        int start = _position;
        ulong utcTicks = ReadUInt64Core(descending, "DateTimeOffset instant");
        return utcTicks <= (ulong)DateTime.MaxValue.Ticks
            ? new DateTimeOffset((long)utcTicks, TimeSpan.Zero)
            : throw Invalid("DateTimeOffset instant", start, string.Create(CultureInfo.InvariantCulture, $"UTC ticks {utcTicks}"));
    }

    /// <summary>Reads a DateOnly part (its DayNumber).</summary>
    public DateOnly ReadDateOnly(bool descending = false)
    {
        int start = _position;
        long day = ReadInt64(descending);
        return day is >= 0 and <= MaxDayNumber
            ? DateOnly.FromDayNumber((int)day)
            : throw Invalid("DateOnly", start, string.Create(CultureInfo.InvariantCulture, $"day number {day}"));
    }

    /// <summary>Reads a TimeOnly part (its Ticks).</summary>
    public TimeOnly ReadTimeOnly(bool descending = false)
    {
        int start = _position;
        long ticks = ReadInt64(descending);
        return ticks is >= 0 and <= MaxTimeOnlyTicks
            ? new TimeOnly(ticks)
            : throw Invalid("TimeOnly", start, string.Create(CultureInfo.InvariantCulture, $"ticks {ticks}"));
    }

    /// <summary>Reads a TimeSpan part.</summary>
    public TimeSpan ReadTimeSpan(bool descending = false) =>
        new((long)(ReadUInt64Core(descending, "TimeSpan") ^ 0x8000_0000_0000_0000UL));
}
