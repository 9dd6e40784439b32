using Persistence.Serialization;
using static Persistence.Tests.Serialization.KeyTesting;

namespace Persistence.Tests.Serialization;

/// <summary>Every key part type with the .NET order its keys must reproduce.</summary>
internal static class KeyCodecs
{
    public static KeyCodec<bool> Boolean { get; } = new("Boolean",
        (ref KeyWriter w, bool v, bool d) => w.WriteBoolean(v, d), (ref KeyReader r, bool d) => r.ReadBoolean(d), (a, b) => a.CompareTo(b));

    public static KeyCodec<byte> Byte { get; } = new("Byte",
        (ref KeyWriter w, byte v, bool d) => w.WriteByte(v, d), (ref KeyReader r, bool d) => r.ReadByte(d), (a, b) => a.CompareTo(b));

    public static KeyCodec<sbyte> SByte { get; } = new("SByte",
        (ref KeyWriter w, sbyte v, bool d) => w.WriteSByte(v, d), (ref KeyReader r, bool d) => r.ReadSByte(d), (a, b) => a.CompareTo(b));

    public static KeyCodec<short> Int16 { get; } = new("Int16",
        (ref KeyWriter w, short v, bool d) => w.WriteInt16(v, d), (ref KeyReader r, bool d) => r.ReadInt16(d), (a, b) => a.CompareTo(b));

    public static KeyCodec<ushort> UInt16 { get; } = new("UInt16",
        (ref KeyWriter w, ushort v, bool d) => w.WriteUInt16(v, d), (ref KeyReader r, bool d) => r.ReadUInt16(d), (a, b) => a.CompareTo(b));

    public static KeyCodec<char> Char { get; } = new("Char",
        (ref KeyWriter w, char v, bool d) => w.WriteChar(v, d), (ref KeyReader r, bool d) => r.ReadChar(d), (a, b) => a.CompareTo(b));

    public static KeyCodec<int> Int32 { get; } = new("Int32",
        (ref KeyWriter w, int v, bool d) => w.WriteInt32(v, d), (ref KeyReader r, bool d) => r.ReadInt32(d), (a, b) => a.CompareTo(b));

    public static KeyCodec<uint> UInt32 { get; } = new("UInt32",
        (ref KeyWriter w, uint v, bool d) => w.WriteUInt32(v, d), (ref KeyReader r, bool d) => r.ReadUInt32(d), (a, b) => a.CompareTo(b));

    public static KeyCodec<long> Int64 { get; } = new("Int64",
        (ref KeyWriter w, long v, bool d) => w.WriteInt64(v, d), (ref KeyReader r, bool d) => r.ReadInt64(d), (a, b) => a.CompareTo(b));

    public static KeyCodec<ulong> UInt64 { get; } = new("UInt64",
        (ref KeyWriter w, ulong v, bool d) => w.WriteUInt64(v, d), (ref KeyReader r, bool d) => r.ReadUInt64(d), (a, b) => a.CompareTo(b));

    public static KeyCodec<Int128> Int128 { get; } = new("Int128",
        (ref KeyWriter w, Int128 v, bool d) => w.WriteInt128(v, d), (ref KeyReader r, bool d) => r.ReadInt128(d), (a, b) => a.CompareTo(b));

    public static KeyCodec<UInt128> UInt128 { get; } = new("UInt128",
        (ref KeyWriter w, UInt128 v, bool d) => w.WriteUInt128(v, d), (ref KeyReader r, bool d) => r.ReadUInt128(d), (a, b) => a.CompareTo(b));

    public static KeyCodec<Guid> Guid { get; } = new("Guid",
        (ref KeyWriter w, Guid v, bool d) => w.WriteGuid(v, d), (ref KeyReader r, bool d) => r.ReadGuid(d), (a, b) => a.CompareTo(b));

    public static KeyCodec<TimeSpan> TimeSpan { get; } = new("TimeSpan",
        (ref KeyWriter w, TimeSpan v, bool d) => w.WriteTimeSpan(v, d), (ref KeyReader r, bool d) => r.ReadTimeSpan(d), (a, b) => a.CompareTo(b));

    public static KeyCodec<DateOnly> DateOnly { get; } = new("DateOnly",
        (ref KeyWriter w, DateOnly v, bool d) => w.WriteDateOnly(v, d), (ref KeyReader r, bool d) => r.ReadDateOnly(d), (a, b) => a.CompareTo(b));

    public static KeyCodec<TimeOnly> TimeOnly { get; } = new("TimeOnly",
        (ref KeyWriter w, TimeOnly v, bool d) => w.WriteTimeOnly(v, d), (ref KeyReader r, bool d) => r.ReadTimeOnly(d), (a, b) => a.CompareTo(b));

    /// <summary>Ticks order as DateTime.CompareTo; equal ticks order by Kind, which the key keeps.</summary>
    public static KeyCodec<DateTime> DateTime { get; } = new("DateTime",
        (ref KeyWriter w, DateTime v, bool d) => w.WriteDateTime(v, d), (ref KeyReader r, bool d) => r.ReadDateTime(d),
        (a, b) => a.CompareTo(b) != 0 ? a.CompareTo(b) : a.Kind.CompareTo(b.Kind))
    {
        Same = (a, b) => a.Ticks == b.Ticks && a.Kind == b.Kind,
        Show = v => $"{v.Ticks}/{v.Kind}",
    };

    /// <summary>Instants order as DateTimeOffset.CompareTo; equal instants order by offset, which the key keeps.</summary>
    public static KeyCodec<DateTimeOffset> DateTimeOffset { get; } = new("DateTimeOffset",
        (ref KeyWriter w, DateTimeOffset v, bool d) => w.WriteDateTimeOffset(v, d), (ref KeyReader r, bool d) => r.ReadDateTimeOffset(d),
        (a, b) => a.CompareTo(b) != 0 ? a.CompareTo(b) : a.Offset.CompareTo(b.Offset))
    {
        Same = (a, b) => a.UtcTicks == b.UtcTicks && a.Offset == b.Offset,
        Show = v => $"{v.UtcTicks}{v.Offset}",
    };

    public static KeyCodec<double> Double { get; } = new("Double",
        (ref KeyWriter w, double v, bool d) => w.WriteDouble(v, d), (ref KeyReader r, bool d) => r.ReadDouble(d), (a, b) => a.CompareTo(b))
    {
        Normalize = v => double.IsNaN(v) ? double.NaN : v == 0 ? 0.0 : v,
        Same = (a, b) => BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b),
        Show = Show,
    };

    public static KeyCodec<float> Single { get; } = new("Single",
        (ref KeyWriter w, float v, bool d) => w.WriteSingle(v, d), (ref KeyReader r, bool d) => r.ReadSingle(d), (a, b) => a.CompareTo(b))
    {
        Normalize = v => float.IsNaN(v) ? float.NaN : v == 0 ? 0.0f : v,
        Same = (a, b) => BitConverter.SingleToInt32Bits(a) == BitConverter.SingleToInt32Bits(b),
        Show = v => $"{v:R} (0x{BitConverter.SingleToInt32Bits(v):x8})",
    };

    public static KeyCodec<decimal> Decimal { get; } = new("Decimal",
        (ref KeyWriter w, decimal v, bool d) => w.WriteDecimal(v, d), (ref KeyReader r, bool d) => r.ReadDecimal(d), (a, b) => a.CompareTo(b))
    {
        Normalize = Normalize,
        Same = SameDecimal,
        Show = v => $"{v} [{string.Join(",", decimal.GetBits(v))}]",
    };

    public static KeyCodec<string> String { get; } = new("String",
        (ref KeyWriter w, string v, bool d) => w.WriteString(v, d), (ref KeyReader r, bool d) => r.ReadString(d), string.CompareOrdinal)
    {
        Same = (a, b) => string.Equals(a, b, StringComparison.Ordinal),
        Show = Show,
    };

    public static KeyCodec<byte[]> Bytes { get; } = new("Bytes",
        (ref KeyWriter w, byte[] v, bool d) => w.WriteBytes(v, d), (ref KeyReader r, bool d) => r.ReadBytes(d),
        (a, b) => a.AsSpan().SequenceCompareTo(b))
    {
        Same = (a, b) => a.AsSpan().SequenceEqual(b),
        Show = v => "[" + Convert.ToHexStringLower(v) + "]",
    };
}
