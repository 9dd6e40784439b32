using Persistence.Tests.Collections;

namespace Persistence.Tests.Query;

/// <summary>How an In list reads in a condition's text and in Explain: in full up to eight values, then shortened.</summary>
public sealed class InConditionTests
{
    private static readonly PurchaseFields F = PurchaseCollection.Fields;

    [Fact]
    public void Up_to_eight_values_are_shown_in_full()
    {
        Assert.Equal("Level in (3, 1, 2)", F.Level.In(3, 1, 2).ToString());
        Assert.Equal("Level in (1, 2, 3, 4, 5, 6, 7, 8)", F.Level.In(Enumerable.Range(1, 8)).ToString());
    }

    [Fact]
    public void Longer_lists_show_their_first_eight_values_and_their_count()
    {
        Assert.Equal("Level in (1, 2, 3, 4, 5, 6, 7, 8, ... (9 values))", F.Level.In(Enumerable.Range(1, 9)).ToString());
        Assert.Equal("Channel in (\"a\", null, \"c\", \"d\", \"e\", \"f\", \"g\", \"h\", ... (10 values))",
            F.Channel.In("a", null, "c", "d", "e", "f", "g", "h", "i", "j").ToString());
    }

    [Fact]
    public void Explain_of_an_in_list_at_the_cap_stays_short()
    {
        using var db = Database.OpenInMemory();
        var purchases = new PurchaseCollection(db);
        purchases.InsertMany(Enumerable.Range(1, 100).Select(i => new Purchase { Id = i, CustomerId = i, Level = i % 10 }));

        var plan = purchases.Query().Where(f => f.Level.In(Enumerable.Range(0, 4096))).Explain();
        Assert.Equal(
            "index 'Level' for Level in (0, 1, 2, 3, 4, 5, 6, 7, ... (4096 values)) (est. 100 rows) in 4096 key ranges"
            + " -> filter Level in (0, 1, 2, 3, 4, 5, 6, 7, ... (4096 values))",
            plan);
    }
}
