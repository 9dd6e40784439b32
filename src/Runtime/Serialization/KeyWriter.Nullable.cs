namespace Persistence.Serialization;

/// <content>
/// Nullable parts: 0x00 for null (sorts first ascending, last descending), or 0x01 followed by the value. The marker
/// and the value are written in the same direction, so a descending nullable part is the inversion of the whole part.
/// </content>
public ref partial struct KeyWriter
{
    /// <summary>Writes a nullable bool: the null marker, or the not-null marker then <see cref="WriteBoolean"/>.</summary>
    public void WriteNullableBoolean(bool? value, bool descending = false)
    {
        if (WriteMarker(value.HasValue, descending))
        {
            WriteBoolean(value.GetValueOrDefault(), descending);
        }
    }

    /// <summary>Writes a nullable byte: the null marker, or the not-null marker then <see cref="WriteByte"/>.</summary>
    public void WriteNullableByte(byte? value, bool descending = false)
    {
        if (WriteMarker(value.HasValue, descending))
        {
            WriteByte(value.GetValueOrDefault(), descending);
        }
    }

    /// <summary>Writes a nullable sbyte: the null marker, or the not-null marker then <see cref="WriteSByte"/>.</summary>
    public void WriteNullableSByte(sbyte? value, bool descending = false)
    {
        if (WriteMarker(value.HasValue, descending))
        {
            WriteSByte(value.GetValueOrDefault(), descending);
        }
    }

    /// <summary>Writes a nullable ushort: the null marker, or the not-null marker then <see cref="WriteUInt16"/>.</summary>
    public void WriteNullableUInt16(ushort? value, bool descending = false)
    {
        if (WriteMarker(value.HasValue, descending))
        {
            WriteUInt16(value.GetValueOrDefault(), descending);
        }
    }

    /// <summary>Writes a nullable short: the null marker, or the not-null marker then <see cref="WriteInt16"/>.</summary>
    public void WriteNullableInt16(short? value, bool descending = false)
    {
        if (WriteMarker(value.HasValue, descending))
        {
            WriteInt16(value.GetValueOrDefault(), descending);
        }
    }

    /// <summary>Writes a nullable char: the null marker, or the not-null marker then <see cref="WriteChar"/>.</summary>
    public void WriteNullableChar(char? value, bool descending = false)
    {
        if (WriteMarker(value.HasValue, descending))
        {
            WriteChar(value.GetValueOrDefault(), descending);
        }
    }

    /// <summary>Writes a nullable uint: the null marker, or the not-null marker then <see cref="WriteUInt32"/>.</summary>
    public void WriteNullableUInt32(uint? value, bool descending = false)
    {
        if (WriteMarker(value.HasValue, descending))
        {
            WriteUInt32(value.GetValueOrDefault(), descending);
        }
    }

    /// <summary>Writes a nullable int: the null marker, or the not-null marker then <see cref="WriteInt32"/>.</summary>
    public void WriteNullableInt32(int? value, bool descending = false)
    {
        if (WriteMarker(value.HasValue, descending))
        {
            WriteInt32(value.GetValueOrDefault(), descending);
        }
    }

    /// <summary>Writes a nullable ulong: the null marker, or the not-null marker then <see cref="WriteUInt64"/>.</summary>
    public void WriteNullableUInt64(ulong? value, bool descending = false)
    {
        if (WriteMarker(value.HasValue, descending))
        {
            WriteUInt64(value.GetValueOrDefault(), descending);
        }
    }

    /// <summary>Writes a nullable long: the null marker, or the not-null marker then <see cref="WriteInt64"/>.</summary>
    public void WriteNullableInt64(long? value, bool descending = false)
    {
        if (WriteMarker(value.HasValue, descending))
        {
            WriteInt64(value.GetValueOrDefault(), descending);
        }
    }

    /// <summary>Writes a nullable UInt128: the null marker, or the not-null marker then <see cref="WriteUInt128"/>.</summary>
    public void WriteNullableUInt128(UInt128? value, bool descending = false)
    {
        if (WriteMarker(value.HasValue, descending))
        {
            WriteUInt128(value.GetValueOrDefault(), descending);
        }
    }

    /// <summary>Writes a nullable Int128: the null marker, or the not-null marker then <see cref="WriteInt128"/>.</summary>
    public void WriteNullableInt128(Int128? value, bool descending = false)
    {
        if (WriteMarker(value.HasValue, descending))
        {
            WriteInt128(value.GetValueOrDefault(), descending);
        }
    }

    /// <summary>Writes a nullable Guid: the null marker, or the not-null marker then <see cref="WriteGuid"/>.</summary>
    public void WriteNullableGuid(Guid? value, bool descending = false)
    {
        if (WriteMarker(value.HasValue, descending))
        {
            WriteGuid(value.GetValueOrDefault(), descending);
        }
    }

    /// <summary>Writes a nullable DateTime: the null marker, or the not-null marker then <see cref="WriteDateTime"/>.</summary>
    public void WriteNullableDateTime(DateTime? value, bool descending = false)
    {
        if (WriteMarker(value.HasValue, descending))
        {
            WriteDateTime(value.GetValueOrDefault(), descending);
        }
    }

    /// <summary>Writes a nullable DateTimeOffset: the null marker, or the not-null marker then <see cref="WriteDateTimeOffset"/>.</summary>
    public void WriteNullableDateTimeOffset(DateTimeOffset? value, bool descending = false)
    {
        if (WriteMarker(value.HasValue, descending))
        {
            WriteDateTimeOffset(value.GetValueOrDefault(), descending);
        }
    }

    /// <summary>
    /// Writes a nullable DateTimeOffset's instant: the null marker, or the not-null marker then
    /// <see cref="WriteDateTimeOffsetInstant"/>.
    /// </summary>
    public void WriteNullableDateTimeOffsetInstant(DateTimeOffset? value, bool descending = false)
    {
        if (WriteMarker(value.HasValue, descending))
        {
            WriteDateTimeOffsetInstant(value.GetValueOrDefault(), descending);
        }
    }

    /// <summary>Writes a nullable DateOnly: the null marker, or the not-null marker then <see cref="WriteDateOnly"/>.</summary>
    public void WriteNullableDateOnly(DateOnly? value, bool descending = false)
    {
        if (WriteMarker(value.HasValue, descending))
        {
            WriteDateOnly(value.GetValueOrDefault(), descending);
        }
    }

    /// <summary>Writes a nullable TimeOnly: the null marker, or the not-null marker then <see cref="WriteTimeOnly"/>.</summary>
    public void WriteNullableTimeOnly(TimeOnly? value, bool descending = false)
    {
        if (WriteMarker(value.HasValue, descending))
        {
            WriteTimeOnly(value.GetValueOrDefault(), descending);
        }
    }

    /// <summary>Writes a nullable TimeSpan: the null marker, or the not-null marker then <see cref="WriteTimeSpan"/>.</summary>
    public void WriteNullableTimeSpan(TimeSpan? value, bool descending = false)
    {
        if (WriteMarker(value.HasValue, descending))
        {
            WriteTimeSpan(value.GetValueOrDefault(), descending);
        }
    }

    /// <summary>Writes a nullable double: the null marker, or the not-null marker then <see cref="WriteDouble"/>.</summary>
    public void WriteNullableDouble(double? value, bool descending = false)
    {
        if (WriteMarker(value.HasValue, descending))
        {
            WriteDouble(value.GetValueOrDefault(), descending);
        }
    }

    /// <summary>Writes a nullable float: the null marker, or the not-null marker then <see cref="WriteSingle"/>.</summary>
    public void WriteNullableSingle(float? value, bool descending = false)
    {
        if (WriteMarker(value.HasValue, descending))
        {
            WriteSingle(value.GetValueOrDefault(), descending);
        }
    }

    /// <summary>Writes a nullable decimal: the null marker, or the not-null marker then <see cref="WriteDecimal"/>.</summary>
    public void WriteNullableDecimal(decimal? value, bool descending = false)
    {
        if (WriteMarker(value.HasValue, descending))
        {
            WriteDecimal(value.GetValueOrDefault(), descending);
        }
    }

    /// <summary>Writes a nullable string: the null marker, or the not-null marker then <see cref="WriteString(string, bool)"/>.</summary>
    public void WriteNullableString(string? value, bool descending = false)
    {
        if (WriteMarker(value is not null, descending))
        {
            WriteString(value!, descending);
        }
    }

    /// <summary>Writes a nullable byte[]: the null marker, or the not-null marker then <see cref="WriteBytes(byte[], bool)"/>.</summary>
    public void WriteNullableBytes(byte[]? value, bool descending = false)
    {
        if (WriteMarker(value is not null, descending))
        {
            WriteBytes(value!, descending);
        }
    }

    private bool WriteMarker(bool hasValue, bool descending)
    {
        Reserve(1)[0] = (byte)((hasValue ? 0x01 : 0x00) ^ Mask(descending));
        return hasValue;
    }
}
