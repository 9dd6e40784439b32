namespace Persistence.Generators.Tests.Runtime;

/// <summary>
/// Generated schemas give the runtime each indexed member's key encoding: an index whose member changes type under the
/// same name is built again when the encoding changes, so the new accessor finds the documents stored before, and is
/// kept when the new type encodes the same way.
/// </summary>
public sealed class IndexEncodingTests
{
    [Fact]
    public void A_member_whose_key_encoding_changes_is_found_through_the_new_accessor()
    {
        using var db = Database.OpenInMemory();
        new Evolution.PlayerV1.PlayerCollection(db).InsertMany(Enumerable.Range(0, 30).Select(i => new Evolution.PlayerV1.Player { Id = i, Level = i % 3 }));

        var players = new Evolution.PlayerV2.PlayerCollection(db);

        Assert.Equal(10, players.ByLevel.Find(2.0).Count());
        Assert.Equal(20, players.ByLevel.Range(1.0, 3.0).Count());
        Assert.Equal(10, players.Query().Where(f => f.Level.Is(0.0)).ToList().Count);
        Assert.Empty(players.CheckConsistency());
    }

    [Fact]
    public void A_member_whose_new_type_has_the_same_key_encoding_keeps_its_entries()
    {
        using var db = Database.OpenInMemory();
        new Evolution.PlayerV1.PlayerCollection(db).InsertMany(Enumerable.Range(0, 30).Select(i => new Evolution.PlayerV1.Player { Id = i, Level = i % 3 }));
        var version = db.GetStatistics().Version;

        var longs = new Evolution.PlayerV3.PlayerCollection(db);
        var tiers = new Evolution.PlayerV4.PlayerCollection(db);

        Assert.Equal(version, db.GetStatistics().Version); // nothing built again, nothing recorded
        Assert.Equal(10, longs.ByLevel.Find(2L).Count());
        Assert.Equal(10, tiers.ByLevel.Find(Evolution.PlayerV4.Tier.Gold).Count());
        Assert.Empty(tiers.CheckConsistency());
    }

    [Fact]
    public void A_primary_key_of_another_encoding_does_not_leave_the_indexes_trusted()
    {
        using var db = Database.OpenInMemory();
        new Evolution.PlayerV1.PlayerCollection(db).InsertMany(Enumerable.Range(0, 30).Select(i => new Evolution.PlayerV1.Player { Id = i, Level = i % 3 }));

        // The documents are keyed as longs: none could be found by a Guid, so the constructor refuses, naming both.
        var refused = Assert.Throws<DocumentException>(() => new Evolution.PlayerV5.PlayerCollection(db));
        Assert.Equal(ErrorCode.PrimaryKeyChanged, refused.Code);
        Assert.Contains("encoded as Int64, but its type declares Guid", refused.Message, StringComparison.Ordinal);

        var players = new Evolution.PlayerV1.PlayerCollection(db); // the documents are untouched: the old type finds them again
        Assert.Equal(10, players.ByLevel.Find(2).Count());
        Assert.Empty(players.CheckConsistency());
    }
}
