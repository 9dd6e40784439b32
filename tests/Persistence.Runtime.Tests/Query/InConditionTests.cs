using Persistence.Query;
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
    public void The_count_of_a_list_with_repeated_values_or_unmatchable_nulls_says_how_many_distinct_values_are_read()
    {
        // Each value twice: 16 values, 8 key ranges. Note cannot be null, so its null matches nothing and is not read;
        // Channel can, so its null is a value like the others.
        var twice = Enumerable.Range(1, 8).Concat(Enumerable.Range(1, 8)).ToArray();
        Assert.Equal("Level in (1, 2, 3, 4, 5, 6, 7, 8, ... (16 values, 8 distinct))", F.Level.In(twice).ToString());
        Assert.Equal("Note in (\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\", ... (10 values, 9 distinct))",
            F.Note.In("a", "b", "c", "d", "e", "f", "g", "h", "i", null).ToString());
        Assert.Equal("Channel in (\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\", ... (10 values, 9 distinct))",
            F.Channel.In("a", "b", "c", "d", "e", "f", "g", "h", "a", null).ToString());

        // The fixed guess counts the distinct values too: 1% of the documents each.
        Assert.Equal(8 * 10, ((IFieldCondition<Purchase>)F.Level.In(twice)).EstimateRows(1000, unique: false));
    }

    [Fact]
    public void Explain_of_an_in_list_with_repeated_values_reads_each_once()
    {
        using var db = Database.OpenInMemory();
        var purchases = new PurchaseCollection(db);
        var all = Enumerable.Range(1, 100).Select(i => new Purchase { Id = i, CustomerId = i, Level = i % 10 }).ToList();
        purchases.InsertMany(all);

        var levels = Enumerable.Range(0, 5).SelectMany(l => Enumerable.Repeat(l, 3)).ToArray();
        var query = purchases.Query().Where(f => f.Level.In(levels));
        Assert.Equal(
            "index 'Level' for Level in (0, 0, 0, 1, 1, 1, 2, 2, ... (15 values, 5 distinct)) (est. 5 rows) in 5 key ranges"
            + " -> filter Level in (0, 0, 0, 1, 1, 1, 2, 2, ... (15 values, 5 distinct))",
            query.Explain());
        Assert.Equal(all.Where(p => levels.Contains(p.Level)).Select(p => p.Id), query.ToList().Select(p => p.Id).Order());
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
