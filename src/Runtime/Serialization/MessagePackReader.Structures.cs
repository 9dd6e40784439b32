using System.Buffers.Binary;
using System.Globalization;

namespace Persistence.Serialization;

/// <content>Array and map headers, extensions and timestamps.</content>
public ref partial struct MessagePackReader
{
    // Seconds since the Unix epoch of DateTime.MinValue and DateTime.MaxValue.
    private const long MinTimestampSeconds = -62_135_596_800;
    private const long MaxTimestampSeconds = 253_402_300_799;

    /// <summary>
    /// Reads an array header (fixarray, array16 or array32) and returns the element count. The count is checked
    /// against the remaining input (every element takes at least one byte), so it is safe to size a collection by it.
    /// </summary>
    public int ReadArrayHeader() =>
        ReadCollectionHeader("an array", MessagePackCode.MinFixArray, MessagePackCode.Array16, MessagePackCode.Array32, 1);

    /// <summary>
    /// Reads a map header (fixmap, map16 or map32) and returns the number of key-value pairs. The count is checked
    /// against the remaining input (every pair takes at least two bytes).
    /// </summary>
    public int ReadMapHeader() =>
        ReadCollectionHeader("a map", MessagePackCode.MinFixMap, MessagePackCode.Map16, MessagePackCode.Map32, 2);

    /// <summary>
    /// Reads an extension header (fixext1-16 or ext8-32). The payload of <see cref="ExtensionHeader.Length"/> bytes
    /// follows (<see cref="ReadRawSpan"/>); the length is checked against the remaining input.
    /// </summary>
    public ExtensionHeader ReadExtensionHeader()
    {
        int start = _position;
        byte code = ReadCode("an extension");
        long length = code switch
        {
            MessagePackCode.FixExt1 => 1,
            MessagePackCode.FixExt2 => 2,
            MessagePackCode.FixExt4 => 4,
            MessagePackCode.FixExt8 => 8,
            MessagePackCode.FixExt16 => 16,
            MessagePackCode.Ext8 => ReadPayload(1, "ext8 length", start)[0],
            MessagePackCode.Ext16 => BinaryPrimitives.ReadUInt16BigEndian(ReadPayload(2, "ext16 length", start)),
            MessagePackCode.Ext32 => BinaryPrimitives.ReadUInt32BigEndian(ReadPayload(4, "ext32 length", start)),
            _ => throw SerializationErrors.Unexpected("an extension", start, code),
        };
        sbyte typeCode = unchecked((sbyte)ReadPayload(1, "extension type", start)[0]);
        int remaining = _buffer.Length - _position;
        if (length > remaining)
        {
            throw SerializationErrors.Truncated("extension payload", length, start, remaining);
        }

        return new ExtensionHeader(typeCode, (int)length);
    }

    /// <summary>
    /// Reads a timestamp (extension type -1, in its 32-, 64- or 96-bit form) as a <see cref="DateTimeKind.Utc"/>
    /// <see cref="DateTime"/>. Nanoseconds are truncated to the 100 ns resolution of <see cref="DateTime"/>.
    /// </summary>
    /// <exception cref="PersistenceSerializationException">
    /// The value is not a timestamp, its nanoseconds are 1,000,000,000 or more, or the instant is outside the range of
    /// <see cref="DateTime"/> (years 1 to 9999).
    /// </exception>
    public DateTime ReadTimestamp()
    {
        int start = _position;
        ReadTimestamp(out long seconds, out uint nanoseconds);
        if (seconds is < MinTimestampSeconds or > MaxTimestampSeconds)
        {
            throw SerializationErrors.OutOfRange(
                "DateTime", start, string.Create(CultureInfo.InvariantCulture, $"a timestamp of {seconds} seconds"));
        }

        long ticks = DateTime.UnixEpoch.Ticks + (seconds * TimeSpan.TicksPerSecond) + (nanoseconds / 100);
        return new DateTime(ticks, DateTimeKind.Utc);
    }

    /// <summary>Reads a timestamp as its two fields: seconds since the epoch and nanoseconds within the second.</summary>
    internal void ReadTimestamp(out long seconds, out uint nanoseconds)
    {
        int start = _position;
        ExtensionHeader header = ReadExtensionHeader();
        if (header.TypeCode != MessagePackCode.TimestampExtensionType)
        {
            throw SerializationErrors.Create(
                "a timestamp (extension type -1)",
                start,
                string.Create(CultureInfo.InvariantCulture, $"extension type {header.TypeCode}"));
        }

        ReadOnlySpan<byte> payload = ReadPayload(header.Length, "timestamp", start);
        switch (payload.Length)
        {
            case 4:
                seconds = BinaryPrimitives.ReadUInt32BigEndian(payload);
                nanoseconds = 0;
                break;
            case 8:
                ulong data64 = BinaryPrimitives.ReadUInt64BigEndian(payload);
                nanoseconds = (uint)(data64 >> 34);
                seconds = (long)(data64 & 0x3_ffff_ffffUL);
                break;
            case 12:
                nanoseconds = BinaryPrimitives.ReadUInt32BigEndian(payload);
                seconds = BinaryPrimitives.ReadInt64BigEndian(payload[4..]);
                break;
            default:
                throw SerializationErrors.Create(
                    "a timestamp payload of 4, 8 or 12 bytes",
                    start,
                    string.Create(CultureInfo.InvariantCulture, $"{payload.Length} bytes"));
        }

        if (nanoseconds >= 1_000_000_000)
        {
            throw SerializationErrors.Create(
                "timestamp nanoseconds below 1000000000",
                start,
                string.Create(CultureInfo.InvariantCulture, $"{nanoseconds}"));
        }
    }

    private int ReadCollectionHeader(string expected, byte fixCode, byte code16, byte code32, int minBytesPerEntry)
    {
        int start = _position;
        byte code = ReadCode(expected);
        long count;
        if ((code & 0xf0) == fixCode)
        {
            count = code & 0x0f;
        }
        else if (code == code16)
        {
            count = BinaryPrimitives.ReadUInt16BigEndian(ReadPayload(2, "a 16-bit count", start));
        }
        else if (code == code32)
        {
            count = BinaryPrimitives.ReadUInt32BigEndian(ReadPayload(4, "a 32-bit count", start));
        }
        else
        {
            throw SerializationErrors.Unexpected(expected, start, code);
        }

        int remaining = _buffer.Length - _position;
        if (count * minBytesPerEntry > remaining)
        {
            throw SerializationErrors.Create(
                string.Create(CultureInfo.InvariantCulture, $"{expected} whose {count} entries fit the remaining {remaining} bytes"),
                start,
                "a count too large for the input");
        }

        return (int)count;
    }
}
