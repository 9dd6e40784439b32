namespace Persistence.Serialization;

/// <content>Dates, times and durations.</content>
public ref partial struct KeyWriter
{
    /// <summary>
    /// Writes a DateTime as its Ticks (8 bytes) then its Kind (1 byte). Keys order by Ticks, and values with equal
    /// Ticks by Kind (Unspecified, Utc, Local), so the Kind round-trips; no time-zone conversion is made here. Note that
    /// <see cref="DateTime.CompareTo(DateTime)"/> ignores Kind: two values it calls equal but with different Kinds are
    /// different keys. Generated keys (primary keys and index entries) therefore write the value as the stored document
    /// reads it back, <see cref="MessagePackWriter.StoredDateTime(DateTime)"/>, whose Kind is always Utc: their keys
    /// order and compare by instant, and the key of a document is the key of that document read back. Primary keys
    /// stored before held the value's own Kind (encoding "DateTime"; "DateTimeUtc" now); collections move them once.
    /// </summary>
    public void WriteDateTime(DateTime value, bool descending = false)
    {
        WriteFixed64((ulong)value.Ticks, descending);
        WriteByte((byte)value.Kind, descending);
    }

    /// <summary>
    /// Writes a DateTimeOffset as its UtcTicks (8 bytes) then its offset in minutes (2 bytes, sign bit flipped). Keys
    /// order by instant as <see cref="DateTimeOffset.CompareTo(DateTimeOffset)"/> does, and equal instants by offset,
    /// so the offset round-trips. As with DateTime, equal instants with different offsets are different keys, which
    /// <see cref="DateTimeOffset.Equals(DateTimeOffset)"/> calls equal: generated keys write
    /// <see cref="WriteDateTimeOffsetInstant"/> instead. Primary keys stored before held this form (encoding
    /// "DateTimeOffset"); collections move them once (<see cref="KeyReader.ReadDateTimeOffset"/> reads them).
    /// </summary>
    public void WriteDateTimeOffset(DateTimeOffset value, bool descending = false)
    {
        WriteFixed64((ulong)value.UtcTicks, descending);
        WriteInt16((short)value.TotalOffsetMinutes, descending);
    }

    /// <summary>
    /// Writes the instant of a DateTimeOffset alone (its UtcTicks, 8 bytes; the prefix of every key
    /// <see cref="WriteDateTimeOffset"/> writes for that instant, whatever the offset). Primary keys, index entries and
    /// their lookups use it, so that values <see cref="DateTimeOffset.Equals(DateTimeOffset)"/> calls equal (the same
    /// instant at any offset) are one key: a collection holds one document per instant, a unique index holds an instant
    /// once, and a lookup at any offset finds it. The offset does not come back from such a key
    /// (<see cref="KeyReader.ReadDateTimeOffsetInstant"/>): the document holds it.
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
