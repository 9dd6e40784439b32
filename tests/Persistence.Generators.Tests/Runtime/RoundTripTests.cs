using Persistence.Generators.Tests.Golden.AllTypes;

namespace Persistence.Generators.Tests.Runtime;

/// <summary>Every supported member type survives a store and load through the generated serializer, edge values included.</summary>
public sealed class RoundTripTests : IDisposable
{
    private readonly Database _db = Database.OpenInMemory();
    private readonly SampleCollection _samples;

    public RoundTripTests()
    {
        _samples = new SampleCollection(_db);
    }

    public void Dispose() => _db.Dispose();

    public static TheoryData<string> Cases => new() { "defaults", "minimum", "maximum", "mixed" };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_member_round_trips(string name)
    {
        var sample = Create(name);
        _samples.Insert(sample);
        var loaded = _samples.Get(sample.Id);
        Assert.NotNull(loaded);
        AssertSame(sample, loaded);
    }

    [Fact]
    public void A_non_nullable_member_holding_null_is_refused_on_write()
    {
        var sample = Create("defaults");
        sample.OptionalData = [1];
        Assert.Throws<PersistenceSerializationException>(() => _samples.Insert(new Sample { Id = Guid.NewGuid(), Data = null! }));
        sample.Text = null!;
        var error = Assert.Throws<PersistenceSerializationException>(() => _samples.Insert(sample));
        Assert.Contains("Sample.Text", error.Message, StringComparison.Ordinal);
        sample.Text = "";
        sample.Words = null!;
        Assert.Throws<PersistenceSerializationException>(() => _samples.Insert(sample));
    }

    internal static Sample Create(string name) => name switch
    {
        "defaults" => new Sample { Id = Guid.NewGuid() },
        "minimum" => new Sample
        {
            Id = Guid.Empty,
            SByte = sbyte.MinValue, Byte = byte.MinValue, Int16 = short.MinValue, UInt16 = ushort.MinValue, Int32 = int.MinValue, UInt32 = uint.MinValue,
            Int64 = long.MinValue, UInt64 = ulong.MinValue, Single = float.MinValue, Double = double.NegativeInfinity, Decimal = decimal.MinValue,
            Char = char.MinValue, Text = "", Code = "", DateTime = DateTime.MinValue.ToUniversalTime(), DateTimeOffset = DateTimeOffset.MinValue,
            TimeSpan = TimeSpan.MinValue, Color = Color.Red, Access = Access.None, Data = [], OptionalData = [],
            NullableInt32 = int.MinValue, NullableColor = Color.Red, NullableGuid = Guid.Empty, NullableDateTime = DateTime.MinValue.ToUniversalTime(),
            NullableDecimal = decimal.MinValue, NullableChar = char.MinValue, NullableTimeSpan = TimeSpan.MinValue,
            Numbers = [int.MinValue], Words = [null, ""], Longs = [long.MinValue], Doubles = [double.Epsilon], Counts = new() { [""] = int.MinValue },
            Labels = new Dictionary<string, string?> { [""] = null }, Rows = [[]], Jagged = [null, []], Groups = new() { ["empty"] = [] },
            Moments = [null, DateTimeOffset.MinValue], Field = int.MinValue,
        },
        "maximum" => new Sample
        {
            Id = Guid.Parse("ffffffff-ffff-ffff-ffff-ffffffffffff"), Boolean = true,
            SByte = sbyte.MaxValue, Byte = byte.MaxValue, Int16 = short.MaxValue, UInt16 = ushort.MaxValue, Int32 = int.MaxValue, UInt32 = uint.MaxValue,
            Int64 = long.MaxValue, UInt64 = ulong.MaxValue, Single = float.MaxValue, Double = double.NaN, Decimal = decimal.MaxValue,
            Char = char.MaxValue, Text = new string('x', 1_000), Code = "\U0001F600 é 中文", DateTime = DateTime.MaxValue.ToUniversalTime(),
            DateTimeOffset = DateTimeOffset.MaxValue, TimeSpan = TimeSpan.MaxValue, Color = Color.Blue, Access = Access.Read | Access.Write,
            Data = [.. Enumerable.Range(0, 300).Select(i => (byte)i)], OptionalData = [0, 255],
            NullableInt32 = int.MaxValue, NullableColor = (Color)42, NullableGuid = Guid.NewGuid(), NullableDateTime = DateTime.MaxValue.ToUniversalTime(),
            NullableDecimal = decimal.MaxValue, NullableChar = '\uffff', NullableTimeSpan = TimeSpan.MaxValue,
            Numbers = [.. Enumerable.Range(0, 100)], Words = ["\u00e9\u4e2d", "\U0001F600"], Longs = [long.MaxValue], Doubles = [double.MaxValue, -0.0],
            Counts = new() { ["\u4e2d"] = int.MaxValue }, Labels = new Dictionary<string, string?> { ["a"] = "b" }, Rows = [[1, 2], [3]], Jagged = [[int.MaxValue]],
            Groups = new() { ["g"] = [Color.Blue, Color.Green] }, Moments = [DateTimeOffset.MaxValue], Field = int.MaxValue,
        },
        _ => new Sample
        {
            Id = Guid.NewGuid(), Int32 = 42, Text = "mixed", Decimal = 1.50m, Single = 0.1f, Double = -0.0,
            DateTime = new DateTime(2024, 2, 29, 12, 30, 15, DateTimeKind.Utc).AddTicks(1234567),
            DateTimeOffset = new DateTimeOffset(2024, 2, 29, 12, 30, 15, TimeSpan.FromMinutes(-330)), TimeSpan = TimeSpan.FromTicks(-12345),
            Char = '\ud800', NullableChar = 'x', NullableDecimal = 0.000m, Color = Color.Green, NullableColor = null,
        },
    };

    internal static void AssertSame(Sample expected, Sample actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Boolean, actual.Boolean);
        Assert.Equal(expected.SByte, actual.SByte);
        Assert.Equal(expected.Byte, actual.Byte);
        Assert.Equal(expected.Int16, actual.Int16);
        Assert.Equal(expected.UInt16, actual.UInt16);
        Assert.Equal(expected.Int32, actual.Int32);
        Assert.Equal(expected.UInt32, actual.UInt32);
        Assert.Equal(expected.Int64, actual.Int64);
        Assert.Equal(expected.UInt64, actual.UInt64);
        Assert.Equal(BitConverter.SingleToInt32Bits(expected.Single), BitConverter.SingleToInt32Bits(actual.Single));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Double), BitConverter.DoubleToInt64Bits(actual.Double));
        Assert.Equal(expected.Decimal.ToString(System.Globalization.CultureInfo.InvariantCulture), actual.Decimal.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected.Char, actual.Char);
        Assert.Equal(expected.Text, actual.Text);
        Assert.Equal(expected.Code, actual.Code);
        Assert.Equal(expected.DateTime, actual.DateTime);
        Assert.Equal(DateTimeKind.Utc, actual.DateTime.Kind);
        Assert.Equal(expected.DateTimeOffset, actual.DateTimeOffset);
        Assert.Equal(expected.DateTimeOffset.Offset, actual.DateTimeOffset.Offset);
        Assert.Equal(expected.TimeSpan, actual.TimeSpan);
        Assert.Equal(expected.Color, actual.Color);
        Assert.Equal(expected.Access, actual.Access);
        Assert.Equal(expected.Data, actual.Data);
        Assert.Equal(expected.OptionalData, actual.OptionalData);
        Assert.Equal(expected.NullableInt32, actual.NullableInt32);
        Assert.Equal(expected.NullableColor, actual.NullableColor);
        Assert.Equal(expected.NullableGuid, actual.NullableGuid);
        Assert.Equal(expected.NullableDateTime, actual.NullableDateTime);
        Assert.Equal(expected.NullableDecimal?.ToString(System.Globalization.CultureInfo.InvariantCulture), actual.NullableDecimal?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected.NullableChar, actual.NullableChar);
        Assert.Equal(expected.NullableTimeSpan, actual.NullableTimeSpan);
        Assert.Equal(expected.Numbers, actual.Numbers);
        Assert.Equal(expected.Words, actual.Words);
        Assert.Equal(expected.Longs, actual.Longs);
        Assert.Equal(expected.Doubles.Select(BitConverter.DoubleToInt64Bits), actual.Doubles.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(expected.Counts, actual.Counts);
        Assert.Equal(expected.Labels, actual.Labels);
        Assert.Equal(expected.Rows, actual.Rows);
        Assert.Equal(expected.Jagged, actual.Jagged);
        Assert.Equal(expected.Groups, actual.Groups);
        Assert.Equal(expected.Moments, actual.Moments);
        Assert.Equal(expected.Field, actual.Field);
    }
}
