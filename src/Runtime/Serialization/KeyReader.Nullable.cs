namespace Persistence.Serialization;

/// <content>Nullable parts: the marker (see <see cref="ReadIsNull"/>), then the value unless it is null.</content>
public ref partial struct KeyReader
{
    /// <summary>Reads a nullable bool part.</summary>
    public bool? ReadNullableBoolean(bool descending = false) => ReadIsNull(descending) ? null : ReadBoolean(descending);

    /// <summary>Reads a nullable byte part.</summary>
    public byte? ReadNullableByte(bool descending = false) => ReadIsNull(descending) ? null : ReadByte(descending);

    /// <summary>Reads a nullable sbyte part.</summary>
    public sbyte? ReadNullableSByte(bool descending = false) => ReadIsNull(descending) ? null : ReadSByte(descending);

    /// <summary>Reads a nullable ushort part.</summary>
    public ushort? ReadNullableUInt16(bool descending = false) => ReadIsNull(descending) ? null : ReadUInt16(descending);

    /// <summary>Reads a nullable short part.</summary>
    public short? ReadNullableInt16(bool descending = false) => ReadIsNull(descending) ? null : ReadInt16(descending);

    /// <summary>Reads a nullable char part.</summary>
    public char? ReadNullableChar(bool descending = false) => ReadIsNull(descending) ? null : ReadChar(descending);

    /// <summary>Reads a nullable uint part.</summary>
    public uint? ReadNullableUInt32(bool descending = false) => ReadIsNull(descending) ? null : ReadUInt32(descending);

    /// <summary>Reads a nullable int part.</summary>
    public int? ReadNullableInt32(bool descending = false) => ReadIsNull(descending) ? null : ReadInt32(descending);

    /// <summary>Reads a nullable ulong part.</summary>
    public ulong? ReadNullableUInt64(bool descending = false) => ReadIsNull(descending) ? null : ReadUInt64(descending);

    /// <summary>Reads a nullable long part.</summary>
    public long? ReadNullableInt64(bool descending = false) => ReadIsNull(descending) ? null : ReadInt64(descending);

    /// <summary>Reads a nullable UInt128 part.</summary>
    public UInt128? ReadNullableUInt128(bool descending = false) => ReadIsNull(descending) ? null : ReadUInt128(descending);

    /// <summary>Reads a nullable Int128 part.</summary>
    public Int128? ReadNullableInt128(bool descending = false) => ReadIsNull(descending) ? null : ReadInt128(descending);

    /// <summary>Reads a nullable Guid part.</summary>
    public Guid? ReadNullableGuid(bool descending = false) => ReadIsNull(descending) ? null : ReadGuid(descending);

    /// <summary>Reads a nullable DateTime part.</summary>
    public DateTime? ReadNullableDateTime(bool descending = false) => ReadIsNull(descending) ? null : ReadDateTime(descending);

    /// <summary>Reads a nullable DateTimeOffset part.</summary>
    public DateTimeOffset? ReadNullableDateTimeOffset(bool descending = false) => ReadIsNull(descending) ? null : ReadDateTimeOffset(descending);

    /// <summary>Reads a nullable DateTimeOffset instant part (<see cref="ReadDateTimeOffsetInstant"/>).</summary>
    public DateTimeOffset? ReadNullableDateTimeOffsetInstant(bool descending = false) =>
        ReadIsNull(descending) ? null : ReadDateTimeOffsetInstant(descending);

    /// <summary>Reads a nullable DateOnly part.</summary>
    public DateOnly? ReadNullableDateOnly(bool descending = false) => ReadIsNull(descending) ? null : ReadDateOnly(descending);

    /// <summary>Reads a nullable TimeOnly part.</summary>
    public TimeOnly? ReadNullableTimeOnly(bool descending = false) => ReadIsNull(descending) ? null : ReadTimeOnly(descending);

    /// <summary>Reads a nullable TimeSpan part.</summary>
    public TimeSpan? ReadNullableTimeSpan(bool descending = false) => ReadIsNull(descending) ? null : ReadTimeSpan(descending);

    /// <summary>Reads a nullable double part.</summary>
    public double? ReadNullableDouble(bool descending = false) => ReadIsNull(descending) ? null : ReadDouble(descending);

    /// <summary>Reads a nullable float part.</summary>
    public float? ReadNullableSingle(bool descending = false) => ReadIsNull(descending) ? null : ReadSingle(descending);

    /// <summary>Reads a nullable decimal part.</summary>
    public decimal? ReadNullableDecimal(bool descending = false) => ReadIsNull(descending) ? null : ReadDecimal(descending);

    /// <summary>Reads a nullable string part.</summary>
    public string? ReadNullableString(bool descending = false) => ReadIsNull(descending) ? null : ReadString(descending);

    /// <summary>Reads a nullable byte[] part.</summary>
    public byte[]? ReadNullableBytes(bool descending = false) => ReadIsNull(descending) ? null : ReadBytes(descending);
}
