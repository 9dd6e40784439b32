using static Persistence.Tests.Serialization.KeyValueGenerators;

namespace Persistence.Tests.Serialization;

/// <summary>
/// Property tests: byte order of keys equals the order of values, ascending and descending, for random pairs (seeded,
/// the seed is in every message) and all pairs of hand-picked edge cases; every key reads back and re-encodes.
/// </summary>
public sealed partial class KeyWriterTests
{
    [Fact]
    public void Small_integers_order_as_their_values()
    {
        KeyCodecs.Boolean.CheckOrdering([false, true], r => r.Next(2) == 1);
        KeyCodecs.Byte.CheckOrdering([0, 1, 127, 128, 255], r => (byte)r.Next(256));
        KeyCodecs.SByte.CheckOrdering([sbyte.MinValue, -1, 0, 1, sbyte.MaxValue], r => (sbyte)r.Next(256));
        KeyCodecs.Int16.CheckOrdering([short.MinValue, -1, 0, 1, short.MaxValue], r => (short)RandomInt64(r));
        KeyCodecs.UInt16.CheckOrdering([0, 1, 0x7fff, 0x8000, ushort.MaxValue], r => (ushort)RandomInt64(r));
        KeyCodecs.Char.CheckOrdering(['\0', 'a', '\u007f', '\u0080', '\ud800', '\udfff', '\ue000', '\uffff'], r => (char)r.Next(65536));
    }

    [Fact]
    public void Wide_integers_order_as_their_values()
    {
        KeyCodecs.Int32.CheckOrdering(
            [int.MinValue, -1, 0, 1, int.MaxValue, .. LengthEdges.Where(v => v is >= int.MinValue and <= int.MaxValue).Select(v => (int)v)],
            r => (int)RandomInt64(r));
        KeyCodecs.UInt32.CheckOrdering(
            [0, 1, 0x7fff_ffff, 0x8000_0000, uint.MaxValue, .. LengthEdges.Where(v => v is >= 0 and <= uint.MaxValue).Select(v => (uint)v)],
            r => (uint)RandomInt64(r));
        KeyCodecs.Int64.CheckOrdering([long.MinValue, -1, 0, 1, long.MaxValue, .. LengthEdges], RandomInt64);
        KeyCodecs.UInt64.CheckOrdering(
            [0, 1, long.MaxValue, 1UL << 63, ulong.MaxValue, .. LengthEdges.Where(v => v >= 0).Select(v => (ulong)v)],
            r => (ulong)RandomInt64(r));
        KeyCodecs.Int128.CheckOrdering(
            [Int128.MinValue, -1, 0, 1, Int128.MaxValue, long.MinValue, ulong.MaxValue],
            r => r.Next(3) == 0 ? RandomInt64(r) : new Int128((ulong)RandomInt64(r), (ulong)RandomInt64(r)));
        KeyCodecs.UInt128.CheckOrdering(
            [UInt128.MinValue, 1, UInt128.MaxValue, ulong.MaxValue, (UInt128)ulong.MaxValue + 1],
            r => r.Next(3) == 0 ? (ulong)RandomInt64(r) : new UInt128((ulong)RandomInt64(r), (ulong)RandomInt64(r)));
    }

    [Fact]
    public void Guids_order_as_Guid_CompareTo()
    {
        KeyCodecs.Guid.CheckOrdering(
            [Guid.Empty, Guid.AllBitsSet, Guid.Parse("00000000-0000-0000-0000-000000000001"),
                Guid.Parse("80000000-0000-0000-0000-000000000000"), Guid.Parse("7fffffff-ffff-ffff-ffff-ffffffffffff"),
                Guid.Parse("00000000-8000-0000-0000-000000000000"), Guid.Parse("00000000-0000-8000-0000-000000000000"),
                Guid.Parse("00000000-0000-0000-8000-000000000000")],
            RandomGuid);
    }

    [Fact]
    public void Floating_point_orders_as_CompareTo_with_NaN_first_and_one_zero()
    {
        KeyCodecs.Double.CheckOrdering(DoubleEdges, RandomDouble);
        KeyCodecs.Single.CheckOrdering(SingleEdges, RandomSingle);
    }

    [Fact]
    public void Decimals_order_as_CompareTo_and_equal_values_share_one_key()
    {
        KeyCodecs.Decimal.CheckOrdering(DecimalEdges, RandomDecimal);
        foreach ((decimal a, decimal b) in new[] { (1.0m, 1.00m), (0m, -0m), (-0.50m, -0.5m), (100m, 100.000m), (0.000m, 0m) })
        {
            Assert.Equal(
                KeyTesting.Encode((ref Persistence.Serialization.KeyWriter w) => w.WriteDecimal(a)),
                KeyTesting.Encode((ref Persistence.Serialization.KeyWriter w) => w.WriteDecimal(b)));
        }
    }

    [Fact]
    public void Strings_order_as_CompareOrdinal()
    {
        string[] edges = ["", "\0", "\0\0", "a", "a\0", "a\0b", "ab", "b", "\u007f", "\u0080", "\uffff", "\U00010000", "\ud800",
            "\ud800a", "\udc00", "\ue000", "\U0010ffff", "abc", "abd", "ab\uffff"];
        KeyCodecs.String.CheckOrdering(edges, RandomString);
        Assert.True(string.CompareOrdinal("\uffff", "\U00010000") > 0, "UTF-16 order puts U+FFFF above U+10000.");
    }

    [Fact]
    public void Byte_arrays_order_lexicographically()
    {
        KeyCodecs.Bytes.CheckOrdering([[], [0], [0, 0], [0, 1], [1], [0xff], [0xff, 0], [0xff, 0xff]], RandomBytes);
    }

    [Fact]
    public void Dates_and_times_order_by_instant_then_kind_or_offset()
    {
        KeyCodecs.DateTime.CheckOrdering(
            [DateTime.MinValue, new DateTime(0, DateTimeKind.Utc), new DateTime(0, DateTimeKind.Local), DateTime.UnixEpoch,
                new DateTime(DateTime.UnixEpoch.Ticks, DateTimeKind.Unspecified), DateTime.MaxValue,
                new DateTime(DateTime.MaxValue.Ticks, DateTimeKind.Local)],
            RandomDateTime);
        KeyCodecs.DateTimeOffset.CheckOrdering(
            [DateTimeOffset.MinValue, DateTimeOffset.MaxValue, DateTimeOffset.UnixEpoch,
                DateTimeOffset.UnixEpoch.ToOffset(TimeSpan.FromHours(14)), DateTimeOffset.UnixEpoch.ToOffset(TimeSpan.FromHours(-14))],
            RandomDateTimeOffset);
        KeyCodecs.DateOnly.CheckOrdering(
            [DateOnly.MinValue, DateOnly.FromDayNumber(1), new DateOnly(1970, 1, 1), new DateOnly(2026, 11, 24), DateOnly.MaxValue],
            r => DateOnly.FromDayNumber(r.Next(DateOnly.MaxValue.DayNumber + 1)));
        KeyCodecs.TimeOnly.CheckOrdering(
            [TimeOnly.MinValue, new TimeOnly(1), new TimeOnly(12, 0), TimeOnly.MaxValue],
            r => new TimeOnly(r.NextInt64(TimeOnly.MaxValue.Ticks + 1)));
        KeyCodecs.TimeSpan.CheckOrdering(
            [TimeSpan.MinValue, TimeSpan.FromTicks(-1), TimeSpan.Zero, TimeSpan.FromTicks(1), TimeSpan.MaxValue],
            r => TimeSpan.FromTicks(RandomInt64(r)));
    }
}
