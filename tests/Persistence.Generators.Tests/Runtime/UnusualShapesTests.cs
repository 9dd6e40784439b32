namespace Persistence.Generators.Tests.Runtime;

/// <summary>An sbyte enum with negative values.</summary>
public enum SignedLevel : sbyte
{
    /// <summary>The least value.</summary>
    Low = sbyte.MinValue,

    /// <summary>Minus one.</summary>
    Mid = -1,

    /// <summary>The greatest value.</summary>
    High = sbyte.MaxValue,
}

/// <summary>A long flags enum using the sign bit.</summary>
[Flags]
public enum WideFlags : long
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>The lowest bit.</summary>
    A = 1,

    /// <summary>The sign bit.</summary>
    Top = long.MinValue,
}

/// <summary>A ulong enum at its greatest value.</summary>
public enum HugeCode : ulong
{
    /// <summary>Zero.</summary>
    Zero = 0,

    /// <summary>The greatest value.</summary>
    Max = ulong.MaxValue,
}

/// <summary>A positional embedded record.</summary>
/// <param name="X">A coordinate.</param>
/// <param name="Y">A coordinate.</param>
[Embedded]
public sealed partial record UnusualPoint(int X, int Y);

/// <summary>A positional record collection with a keyword member, enums at their extremes and nullable elements.</summary>
/// <param name="Id">The key.</param>
/// <param name="class">A member named by a keyword.</param>
/// <param name="Level">Indexed, negative values first.</param>
/// <param name="Flags">The sign bit set.</param>
/// <param name="Code">Indexed at ulong.MaxValue.</param>
/// <param name="Maybe">An array of nullable values.</param>
/// <param name="Points">A read-only list of embedded records.</param>
/// <param name="Counts">A dictionary of nullable values.</param>
[Collection("unusual_records")]
[Index("Level")]
[Index("Code", "class")]
public sealed partial record UnusualRecord(
    [property: PrimaryKey] long Id,
    string? @class,
    SignedLevel Level,
    WideFlags Flags,
    HugeCode Code,
    int?[] Maybe,
    IReadOnlyList<UnusualPoint> Points,
    Dictionary<string, int?> Counts)
{
    /// <summary>A required member beside the positional ones.</summary>
    public required char Letter { get; init; }
}

#nullable disable
/// <summary>Members declared without nullable annotations, which are stored as nullable.</summary>
[Collection("oblivious_documents")]
public sealed partial class ObliviousDocument
{
    /// <summary>The key.</summary>
    [PrimaryKey]
    public int Id { get; init; }

    /// <summary>A string that may be null.</summary>
    public string Text { get; set; }

    /// <summary>A list that may be null, of strings that may be null.</summary>
    public List<string> Words { get; set; }

    /// <summary>An embedded object that may be null.</summary>
    public UnusualPoint Point { get; set; }
}
#nullable restore

/// <summary>Unusual but supported declarations round-trip through the generated code and its indexes.</summary>
public sealed class UnusualShapesTests : IDisposable
{
    private readonly Database _db = Database.OpenInMemory();

    public void Dispose() => _db.Dispose();

    [Fact]
    public void A_positional_record_with_extreme_enums_round_trips_and_is_found_by_its_indexes()
    {
        var records = new UnusualRecordCollection(_db);
        UnusualRecord Create(long id, SignedLevel level, HugeCode code) =>
            new(id, id == 1 ? null : "c" + id, level, WideFlags.Top | WideFlags.A, code, [null, -1, int.MaxValue], [new(1, -2), new(int.MinValue, 0)], new() { ["none"] = null, ["min"] = int.MinValue })
            {
                Letter = '\uD800',
            };
        records.Insert(Create(1, SignedLevel.High, HugeCode.Max));
        records.Insert(Create(2, SignedLevel.Low, HugeCode.Zero));
        records.Insert(Create(3, SignedLevel.Mid, HugeCode.Max));

        var read = records.Get(1)!;
        var expected = Create(1, SignedLevel.High, HugeCode.Max);
        Assert.Equal((expected.Id, expected.@class, expected.Level, expected.Flags, expected.Code, expected.Letter), (read.Id, read.@class, read.Level, read.Flags, read.Code, read.Letter));
        Assert.Equal(expected.Maybe, read.Maybe);
        Assert.Equal(expected.Points, read.Points);
        Assert.Equal(expected.Counts, read.Counts);

        Assert.Equal([2L, 3L, 1L], records.ByLevel.All().Select(r => r.Id));
        Assert.Equal([2L, 3L], records.ByLevel.Range(SignedLevel.Low, SignedLevel.High).Select(r => r.Id));
        Assert.Equal([1L, 3L], records.ByCodeclass.FindByPrefix(HugeCode.Max).Select(r => r.Id).Order());
        Assert.Equal([1L], records.ByCodeclass.Find(HugeCode.Max, null).Select(r => r.Id));
    }

    [Fact]
    public void Nullable_oblivious_members_round_trip_null_and_values()
    {
        var documents = new ObliviousDocumentCollection(_db);
        documents.Insert(new ObliviousDocument { Id = 1 });
        documents.Insert(new ObliviousDocument { Id = 2, Text = "t", Words = ["a", null], Point = new UnusualPoint(3, 4) });

        var empty = documents.Get(1)!;
        Assert.Equal((null, null, null), (empty.Text, empty.Words, empty.Point));
        var full = documents.Get(2)!;
        Assert.Equal("t", full.Text);
        Assert.Equal(["a", null], full.Words);
        Assert.Equal(new UnusualPoint(3, 4), full.Point);
    }
}
