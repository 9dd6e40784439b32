namespace Persistence.Serialization;

/// <content>Dates, times and durations.</content>
public ref partial struct KeyWriter
{
    /// <summary>
    /// Writes a DateTime as its Ticks (8 bytes) then its Kind (1 byte). Keys order by Ticks, and values with equal
    /// Ticks by Kind (Unspecified, Utc, Local), so the Kind round-trips; no time-zone conversion is made, so keys do
    /// not depend on the machine's zone. Note that <see cref="DateTime.CompareTo(DateTime)"/> ignores Kind: two
    /// values it calls equal but with different Kinds are different keys.
    /// </summary>
    public void WriteDateTime(DateTime value, bool descending = false)
    {
        WriteFixed64((ulong)value.Ticks, descending);
        WriteByte((byte)value.Kind, descending);
    }

    /// <summary>
    /// Writes a DateTimeOffset as its UtcTicks (8 bytes) then its offset in minutes (2 bytes, sign bit flipped). Keys
    /// order by instant as <see cref="DateTimeOffset.CompareTo(DateTimeOffset)"/> does, and equal instants by offset,
    /// so the offset round-trips. As with DateTime, equal instants with different offsets are different keys.
    /// </summary>
    public void WriteDateTimeOffset(DateTimeOffset value, bool descending = false)
    {
        WriteFixed64((ulong)value.UtcTicks, descending);
        WriteInt16((short)value.TotalOffsetMinutes, descending);
    }

    /// <summary>
    /// Writes the instant of a DateTimeOffset alone (its UtcTicks, 8 bytes; the prefix of every key
    /// <see cref="WriteDateTimeOffset"/> writes for that instant, whatever the offset). Index entries and their lookups
    /// use it, so that values <see cref="DateTimeOffset.Equals(DateTimeOffset)"/> calls equal (the same instant at any
    /// offset) are one key: a unique index holds an instant once, and a lookup at any offset finds it. The offset does
    /// not come back from such a key (<see cref="KeyReader.ReadDateTimeOffsetInstant"/>).
    /// </summary>
    public void WriteDateTimeOffsetInstant(DateTimeOffset value, bool descending = false) =>
        WriteFixed64((ulong)value.UtcTicks, descending);

    /// <summary>Writes a DateOnly as its <see cref="DateOnly.DayNumber"/>, encoded as an int (4 bytes for dates after 0045).</summary>
    public void WriteDateOnly(DateOnly value, bool descending = false) => WriteInt64(value.DayNumber, descending);

    /// <summary>Writes a TimeOnly as its <see cref="TimeOnly.Ticks"/>, encoded as a long (1 to 6 bytes).</summary>
    public void WriteTimeOnly(TimeOnly value, bool descending = false) => WriteInt64(value.Ticks, descending);

    /// <summary>Writes a TimeSpan as its Ticks, 8 bytes big-endian with the sign bit flipped.</summary>
    public void WriteTimeSpan(TimeSpan value, bool descending = false) =>
        WriteFixed64((ulong)value.Ticks ^ 0x8000_0000_0000_0000UL, descending);
}
