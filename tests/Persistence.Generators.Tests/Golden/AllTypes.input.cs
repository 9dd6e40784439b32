namespace Persistence.Generators.Tests.Golden.AllTypes;

/// <summary>An int-backed enum.</summary>
public enum Color
{
    /// <summary>Red.</summary>
    Red = -1,

    /// <summary>Green.</summary>
    Green = 0,

    /// <summary>Blue.</summary>
    Blue = 7,
}

/// <summary>A byte-backed flags enum.</summary>
[Flags]
public enum Access : byte
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary>Read.</summary>
    Read = 1,

    /// <summary>Write.</summary>
    Write = 2,
}

/// <summary>Every supported member type, with indexes on many key types.</summary>
[Collection("all-types")]
[Index(nameof(Int32), nameof(Text), Name = "Int32Text")]
public partial class Sample
{
    /// <summary>Key.</summary>
    [PrimaryKey]
    public Guid Id { get; init; }

    /// <summary>bool.</summary>
    [Index]
    public bool Boolean { get; set; }

    /// <summary>sbyte.</summary>
    public sbyte SByte { get; set; }

    /// <summary>byte.</summary>
    public byte Byte { get; set; }

    /// <summary>short.</summary>
    public short Int16 { get; set; }

    /// <summary>ushort.</summary>
    public ushort UInt16 { get; set; }

    /// <summary>int.</summary>
    public int Int32 { get; set; }

    /// <summary>uint.</summary>
    public uint UInt32 { get; set; }

    /// <summary>long.</summary>
    [Index]
    public long Int64 { get; set; }

    /// <summary>ulong.</summary>
    public ulong UInt64 { get; set; }

    /// <summary>float.</summary>
    public float Single { get; set; }

    /// <summary>double.</summary>
    [Index]
    public double Double { get; set; }

    /// <summary>decimal.</summary>
    [Index]
    public decimal Decimal { get; set; }

    /// <summary>char.</summary>
    [Index]
    public char Char { get; set; }

    /// <summary>string.</summary>
    public string Text { get; set; } = "";

    /// <summary>string?, unique: documents without one have no entry.</summary>
    [Index(Unique = true)]
    public string? Code { get; set; }

    /// <summary>DateTime.</summary>
    [Index]
    public DateTime DateTime { get; set; }

    /// <summary>DateTimeOffset.</summary>
    public DateTimeOffset DateTimeOffset { get; set; }

    /// <summary>TimeSpan.</summary>
    [Index]
    public TimeSpan TimeSpan { get; set; }

    /// <summary>An int enum.</summary>
    [Index]
    public Color Color { get; set; }

    /// <summary>A byte enum.</summary>
    public Access Access { get; set; }

    /// <summary>byte[].</summary>
    [Index]
    public byte[] Data { get; set; } = [];

    /// <summary>byte[]?.</summary>
    public byte[]? OptionalData { get; set; }

    /// <summary>int?.</summary>
    [Index]
    public int? NullableInt32 { get; set; }

    /// <summary>Color?.</summary>
    [Index]
    public Color? NullableColor { get; set; }

    /// <summary>Guid?.</summary>
    public Guid? NullableGuid { get; set; }

    /// <summary>DateTime?.</summary>
    public DateTime? NullableDateTime { get; set; }

    /// <summary>decimal?.</summary>
    public decimal? NullableDecimal { get; set; }

    /// <summary>char?.</summary>
    public char? NullableChar { get; set; }

    /// <summary>TimeSpan?.</summary>
    public TimeSpan? NullableTimeSpan { get; set; }

    /// <summary>int[].</summary>
    public int[] Numbers { get; set; } = [];

    /// <summary>List of nullable strings.</summary>
    public List<string?> Words { get; set; } = [];

    /// <summary>IList.</summary>
    public IList<long> Longs { get; set; } = [];

    /// <summary>IReadOnlyList.</summary>
    public IReadOnlyList<double> Doubles { get; set; } = [];

    /// <summary>Dictionary.</summary>
    public Dictionary<string, int> Counts { get; set; } = [];

    /// <summary>IReadOnlyDictionary with nullable values.</summary>
    public IReadOnlyDictionary<string, string?> Labels { get; set; } = new Dictionary<string, string?>();

    /// <summary>A list of arrays.</summary>
    public List<int[]> Rows { get; set; } = [];

    /// <summary>An array of nullable arrays.</summary>
    public int[]?[] Jagged { get; set; } = [];

    /// <summary>A nullable dictionary of lists.</summary>
    public Dictionary<string, List<Color>>? Groups { get; set; }

    /// <summary>An array of nullable values.</summary>
    public DateTimeOffset?[] Moments { get; set; } = [];

    /// <summary>A public field.</summary>
    public int Field;
}
