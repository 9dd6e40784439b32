using System.Buffers.Binary;

namespace Persistence.Serialization;

/// <content>Extension values and timestamps.</content>
public ref partial struct MessagePackWriter
{
    /// <summary>
    /// Writes an extension header: fixext1/2/4/8/16 when <paramref name="length"/> is 1, 2, 4, 8 or 16, otherwise ext8,
    /// ext16 or ext32. Exactly <paramref name="length"/> payload bytes must follow (<see cref="WriteRaw"/>).
    /// </summary>
    /// <param name="typeCode">The extension type; 0 to 127 are for applications, negative types are reserved by the specification.</param>
    /// <param name="length">The payload length in bytes.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    public void WriteExtensionHeader(sbyte typeCode, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        byte type = unchecked((byte)typeCode);
        byte fixCode = length switch
        {
            1 => MessagePackCode.FixExt1,
            2 => MessagePackCode.FixExt2,
            4 => MessagePackCode.FixExt4,
            8 => MessagePackCode.FixExt8,
            16 => MessagePackCode.FixExt16,
            _ => 0,
        };

        if (fixCode != 0)
        {
            Span<byte> span = Reserve(2);
            span[0] = fixCode;
            span[1] = type;
        }
        else if (length <= byte.MaxValue)
        {
            Span<byte> span = Reserve(3);
            span[0] = MessagePackCode.Ext8;
            span[1] = (byte)length;
            span[2] = type;
        }
        else if (length <= ushort.MaxValue)
        {
            Span<byte> span = Reserve(4);
            span[0] = MessagePackCode.Ext16;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)length);
            span[3] = type;
        }
        else
        {
            Span<byte> span = Reserve(6);
            span[0] = MessagePackCode.Ext32;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
            span[5] = type;
        }
    }

    /// <summary>Writes an extension value: the header chosen by <see cref="WriteExtensionHeader"/>, then <paramref name="payload"/>.</summary>
    public void WriteExtension(sbyte typeCode, scoped ReadOnlySpan<byte> payload)
    {
        WriteExtensionHeader(typeCode, payload.Length);
        WriteRaw(payload);
    }

    /// <summary>
    /// Writes a point in time as the timestamp extension (type -1), in the 32-, 64- or 96-bit form exactly as the
    /// specification chooses: timestamp 32 when the nanoseconds are zero and the seconds fit 32 unsigned bits,
    /// timestamp 64 when the seconds fit 34 unsigned bits, timestamp 96 otherwise (including every instant before 1970).
    /// </summary>
    /// <param name="value">
    /// The instant. A <see cref="DateTimeKind.Local"/> value is converted to UTC with the machine's time zone;
    /// <see cref="DateTimeKind.Unspecified"/> is taken to be UTC already and is not converted. The kind itself is not
    /// stored: <see cref="MessagePackReader.ReadTimestamp()"/> returns <see cref="DateTimeKind.Utc"/>.
    /// </param>
    public void WriteTimestamp(DateTime value)
    {
        value = StoredDateTime(value);
        long ticks = value.Ticks - DateTime.UnixEpoch.Ticks;
        long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long remainder);
        if (remainder < 0)
        {
            // Floor division: the nanoseconds field is always non-negative, also before the epoch.
            seconds--;
            remainder += TimeSpan.TicksPerSecond;
        }

        WriteTimestamp(seconds, (uint)(remainder * 100));
    }

    /// <summary>
    /// The value that <see cref="MessagePackReader.ReadTimestamp()"/> returns for what <see cref="WriteTimestamp(DateTime)"/>
    /// writes of <paramref name="value"/>: the same instant as a <see cref="DateTimeKind.Utc"/> value (a
    /// <see cref="DateTimeKind.Local"/> value converted, an <see cref="DateTimeKind.Unspecified"/> one taken as UTC).
    /// </summary>
    /// <remarks>
    /// Index entries of DateTime members are encoded from this value, never from the member's own Kind: an entry is
    /// computed from the document being written and later, to remove it, from the stored document, which has lost
    /// the Kind. The two must be the same bytes.
    /// </remarks>
    public static DateTime StoredDateTime(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
    };

    /// <summary>The nullable form of <see cref="StoredDateTime(DateTime)"/>: null stays null.</summary>
    public static DateTime? StoredDateTime(DateTime? value) => value is { } present ? StoredDateTime(present) : null;

    /// <summary>Writes a timestamp from its two fields, choosing the form as the specification does.</summary>
    /// <param name="seconds">Seconds since 1970-01-01T00:00:00Z.</param>
    /// <param name="nanoseconds">Nanoseconds within the second, below 1,000,000,000.</param>
    internal void WriteTimestamp(long seconds, uint nanoseconds)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(nanoseconds, 1_000_000_000u);
        if ((ulong)seconds >> 34 == 0)
        {
            ulong data64 = ((ulong)nanoseconds << 34) | (ulong)seconds;
            if ((data64 & 0xffffffff_00000000UL) == 0)
            {
                Span<byte> span = Reserve(6);
                span[0] = MessagePackCode.FixExt4;
                span[1] = unchecked((byte)MessagePackCode.TimestampExtensionType);
                BinaryPrimitives.WriteUInt32BigEndian(span[2..], (uint)data64);
            }
            else
            {
                Span<byte> span = Reserve(10);
                span[0] = MessagePackCode.FixExt8;
                span[1] = unchecked((byte)MessagePackCode.TimestampExtensionType);
                BinaryPrimitives.WriteUInt64BigEndian(span[2..], data64);
            }
        }
        else
        {
            Span<byte> span = Reserve(15);
            span[0] = MessagePackCode.Ext8;
            span[1] = 12;
            span[2] = unchecked((byte)MessagePackCode.TimestampExtensionType);
            BinaryPrimitives.WriteUInt32BigEndian(span[3..], nanoseconds);
            BinaryPrimitives.WriteInt64BigEndian(span[7..], seconds);
        }
    }
}
