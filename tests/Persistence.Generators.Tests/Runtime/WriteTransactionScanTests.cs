namespace Persistence.Generators.Tests.Runtime;

/// <summary>
/// A tally, made by its parameterless constructor, which counts: the generated deserializer makes each document it
/// decodes with it.
/// </summary>
[Collection("tallies")]
[Index(nameof(Team), nameof(Points), Name = "TeamPoints")]
public partial class Tally
{
    public Tally() => Interlocked.Increment(ref TallyCount.Made);

    [PrimaryKey]
    public int Id { get; init; }

    [Index]
    public int Points { get; set; }

    public string Team { get; set; } = "";
}

/// <summary>How many <see cref="Tally"/> objects were made (only <see cref="WriteTransactionScanTests"/> makes them).</summary>
internal static class TallyCount
{
    public static int Made;
}

/// <summary>
/// The generated scans (All, Range, and an index's Find, Range, All and FindByPrefix) in a write transaction decode
/// each document once, when they hand it out: the keyset they gather first is taken from the keys, not from decoded
/// documents.
/// </summary>
public sealed class WriteTransactionScanTests : IDisposable
{
    private readonly Database _db = Database.OpenInMemory();
    private readonly TallyCollection _tallies;
    private readonly List<Tally> _all;

    public WriteTransactionScanTests()
    {
        _tallies = new TallyCollection(_db);
        _all = [.. Enumerable.Range(1, 12).Select(i => new Tally { Id = i, Points = i % 4, Team = i % 3 == 0 ? "red" : "blue" })];
        _tallies.InsertMany(_all);
    }

    public void Dispose() => _db.Dispose();

    [Fact]
    public void Generated_scans_in_a_write_transaction_make_one_document_per_document_handed_out()
    {
        using var tx = _db.BeginWrite();
        AssertMakes(_all.Select(t => t.Id), () => _tallies.All(tx));
        AssertMakes([3, 4, 5, 6], () => _tallies.Range(3, 7, tx));
        AssertMakes(_all.Where(t => t.Points == 2).Select(t => t.Id), () => _tallies.ByPoints.Find(2, tx));
        AssertMakes(_all.Where(t => t.Points is 1 or 2).OrderByDescending(t => t.Points).ThenByDescending(t => t.Id).Select(t => t.Id),
            () => _tallies.ByPoints.Range(1, 3, descending: true, tx));
        AssertMakes(_all.OrderBy(t => t.Points).ThenBy(t => t.Id).Select(t => t.Id), () => _tallies.ByPoints.All(transaction: tx));
        AssertMakes(_all.Where(t => t.Team == "red").OrderBy(t => t.Points).ThenBy(t => t.Id).Select(t => t.Id), () => _tallies.ByTeamPoints.FindByPrefix("red", tx));
        AssertMakes([1], () => _tallies.All(tx).Take(1));
        AssertMakes([11], () => _tallies.ByPoints.All(descending: true, tx).Take(1)); // Points 3: 11, 7, 3
    }

    private static void AssertMakes(IEnumerable<int> ids, Func<IEnumerable<Tally>> scan)
    {
        var before = Volatile.Read(ref TallyCount.Made);
        var handedOut = scan().Select(t => t.Id).ToList();
        Assert.Equal(ids, handedOut);
        Assert.Equal(handedOut.Count, Volatile.Read(ref TallyCount.Made) - before);
    }
}
