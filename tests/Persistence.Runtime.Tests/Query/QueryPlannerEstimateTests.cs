using Persistence.Query;
using Persistence.Tests.Collections;
using Persistence.Transactions;

namespace Persistence.Tests.Query;

/// <summary>
/// Skewed data where the conditions' fixed guesses pick the wrong path and the estimates read from the index trees pick
/// the right one, in both directions (a low-cardinality index against a selective one); the plan is checked through
/// Explain, the results against LINQ over every document. Each of these chose the wrong path before the planner read its
/// estimates from the trees.
/// </summary>
public sealed class QueryPlannerEstimateTests : IDisposable
{
    private const int Count = 4000;
    private readonly Database _db = Database.OpenInMemory();
    private readonly PurchaseCollection _purchases;
    private readonly List<Purchase> _all;

    public QueryPlannerEstimateTests()
    {
        _purchases = new PurchaseCollection(_db);

        // Level is 0 for 95% of the documents, and one of 50 values for the rest (4 documents each). Total is 5 for 95%,
        // and distinct for the rest (107, 127, ... up to 4107).
        _all = Enumerable.Range(1, Count).Select(i => new Purchase
        {
            Id = i,
            CustomerId = i,
            Level = i % 20 == 0 ? 1 + (i / 20 % 50) : 0,
            Total = i % 20 == 7 ? 100 + i : 5,
        }).ToList();
        _purchases.InsertMany(_all);
    }

    public void Dispose() => _db.Dispose();

    [Fact]
    public void A_range_on_a_selective_index_beats_equality_on_a_value_most_documents_hold()
    {
        // The guesses: equality keeps 1%, a range a third. Level = 0 holds 3,800 documents, Total >= 3900 ten.
        Check(f => f.Level.Is(0) & f.Total.AtLeast(3900), p => p.Level == 0 && p.Total >= 3900, "index 'Total' for Total >= 3900 (est. 10 rows)");

        // The other way round: Level >= 1 holds 200 documents, Total = 5 3,800.
        Check(f => f.Level.AtLeast(1) & f.Total.Is(5), p => p.Level >= 1 && p.Total == 5, "index 'Level' for Level >= 1 (est. 200 rows)");
    }

    [Fact]
    public void Equality_on_a_selective_index_is_read_alone_instead_of_intersected_with_a_value_most_documents_hold()
    {
        // Two equalities were guessed alike (1% each), so the planner intersected them: reading 3,800 entries of one to
        // find a handful in the other.
        Check(f => f.Level.Is(3) & f.Total.Is(5), p => p.Level == 3 && p.Total == 5, "index 'Level' for Level = 3 (est. 4 rows)");
        Check(f => f.Total.Is(147) & f.Level.Is(0), p => p.Total == 147 && p.Level == 0, "index 'Total' for Total = 147 (est. 1 rows)");
    }

    [Fact]
    public void A_union_of_selective_branches_beats_an_index_on_a_value_most_documents_hold()
    {
        Check(f => (f.Level.Is(3) | f.Level.Is(4)) & f.Total.Is(5), p => (p.Level == 3 || p.Level == 4) && p.Total == 5,
            "union of [index 'Level' for Level = 3 (est. 4 rows)] and [index 'Level' for Level = 4 (est. 4 rows)]");
    }

    [Fact]
    public void A_long_in_list_is_estimated_from_a_sample_of_its_ranges()
    {
        // 4,000 values, none stored: 32 of its ranges are descended, and the path is estimated empty; before, each value
        // was guessed 1% of the documents.
        var absent = Enumerable.Range(10_000, 4000).ToArray();
        Check(f => f.Level.Is(0) & f.Total.In(absent), p => p.Level == 0 && absent.Contains(p.Total),
            "index 'Total' for Total in (10000, 10001, 10002, 10003, 10004, 10005, 10006, 10007, ... (4000 values)) (est. 0 rows) in 4000 key ranges");

        // The sample scales what it finds to the whole list: every fourth value of Level 1..50 holds 4 documents.
        var levels = Enumerable.Range(1, 50).Concat(Enumerable.Range(1000, 1950)).ToArray();
        using var read = _db.BeginRead();
        var estimate = QueryPlanner.EstimateEntries(read, _purchases.IndexKeyspace(0), ((IFieldCondition<Purchase>)PurchaseCollection.Fields.Level.In(levels)).Ranges()!);
        Assert.InRange(estimate!.Value, 100, 400); // 200 exactly; the sample takes every 62nd or 63rd value
    }

    [Fact]
    public void A_large_unordered_path_by_the_trees_estimate_gives_way_to_one_that_provides_the_order()
    {
        // Level = 0 was guessed 40 documents and sorted in memory; it holds 3,800, more than a quarter of the documents,
        // so the planner reads the Total index in order instead.
        var query = _purchases.Query().Where(f => f.Level.Is(0) & f.Total.AtLeast(0)).OrderBy(f => f.Total);
        Assert.StartsWith("index 'Total' for Total >= 0", query.Explain(), StringComparison.Ordinal);
        Assert.Contains("order by Total (from the access path)", query.Explain(), StringComparison.Ordinal);
        Assert.Equal(_all.Where(p => p.Level == 0).OrderBy(p => p.Total).ThenBy(p => p.Id).Select(p => p.Id), query.ToList().Select(p => p.Id));
    }

    [Fact]
    public void A_single_unordered_candidate_is_estimated_from_its_tree_when_an_index_could_provide_the_order()
    {
        // Level = 0 alone competes with nothing but the ordered read of the Total index, and its estimate decides between
        // them: the guess (40 documents) kept the path and sorted the 3,800 it holds in memory.
        var query = _purchases.Query().Where(f => f.Level.Is(0)).OrderBy(f => f.Total).ThenBy(f => f.Id);
        var explained = query.Explain();
        Assert.True(explained.StartsWith("index 'Total' for order by Total, Id", StringComparison.Ordinal), explained);
        Assert.Contains("order by Total, Id (from the access path)", explained, StringComparison.Ordinal);
        Assert.Equal(_all.Where(p => p.Level == 0).OrderBy(p => p.Total).ThenBy(p => p.Id).Select(p => p.Id), query.ToList().Select(p => p.Id));

        // With no index to read in that order there is nothing to decide: the guess stays, and the path is sorted.
        Assert.StartsWith("index 'Level' for Level = 0 (est. 40 rows)", _purchases.Query().Where(f => f.Level.Is(0)).OrderBy(f => f.Note).Explain(),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Estimates_are_read_from_the_tree_the_transaction_reads()
    {
        // A write transaction moves every Level = 0 document to Level 60, past the overlay into its own tree: there, Level = 0
        // holds nothing. A read transaction begun before its commit still reads 3,800 in its snapshot, after the commit too.
        using var before = _db.BeginRead();
        var moved = _all.Select(p => new Purchase { Id = p.Id, CustomerId = p.CustomerId, Level = p.Level == 0 ? 60 : p.Level, Total = p.Total }).ToList();
        using (var write = _db.BeginWrite())
        {
            foreach (var purchase in moved)
            {
                _purchases.Update(purchase, write);
            }

            var inWrite = _purchases.Query(write).Where(f => f.Level.Is(0) & f.Total.AtLeast(3900));
            Assert.StartsWith("index 'Level' for Level = 0 (est. 0 rows)", inWrite.Explain(), StringComparison.Ordinal);
            Assert.Empty(inWrite.ToList());
            write.Commit();
        }

        var old = _purchases.Query(before).Where(f => f.Level.Is(0) & f.Total.AtLeast(3900));
        Assert.StartsWith("index 'Total' for Total >= 3900 (est. 10 rows)", old.Explain(), StringComparison.Ordinal);
        Assert.Equal(_all.Where(p => p.Level == 0 && p.Total >= 3900).Select(p => p.Id), old.ToList().Select(p => p.Id).Order());
    }

    [Fact]
    public void A_write_transaction_that_inserted_many_documents_is_estimated_from_its_own_tree()
    {
        // The estimates leave out writes held in a transaction's overlay, but it holds at most WriteOverlay.PromoteAfter
        // of them: past that the transaction moves them into its own tree, which the estimates read. A bulk written in the
        // transaction that then queries is estimated whole, here into a collection that was empty before it.
        CheckInNewWrite(_all, inOverlay: false, "index 'Total' for Total >= 3900 (est. 10 rows)");
    }

    [Fact]
    public void Writes_still_in_the_overlay_are_not_estimated_and_cost_at_most_their_own_number()
    {
        // Fewer writes than the overlay holds, into an empty collection: no tree to descend, so the guesses decide, and
        // whichever path they choose reads at most those documents. The results are the same.
        var few = _all.Where(p => p.Id <= WriteOverlay.PromoteAfter / 8).ToList(); // six writes each: the document, five entries
        CheckInNewWrite(few, inOverlay: true, "index 'Level' for Level = 0 (est. 1 rows)");
    }

    [Fact]
    public void A_single_candidate_is_not_estimated_from_the_tree()
    {
        // Nothing competes: the path is read whatever it holds, so the planner keeps the fixed guess (1% of 4,000) and
        // descends no tree.
        Assert.StartsWith("index 'Level' for Level = 0 (est. 40 rows)", _purchases.Query().Where(f => f.Level.Is(0)).Explain(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_point_lookup_the_guesses_rank_below_another_path_competes_with_the_others_estimates()
    {
        // 200 keys against Level = 0, guessed 40 documents: the lookup switched every estimate off, and the guess chose the
        // Level path, which reads 3,800 entries. Estimated from its tree, Level = 0 loses to the 200 keys.
        var ids = Enumerable.Range(1, 200).Select(i => (long)i).ToArray();
        Check(f => f.Id.In(ids) & f.Level.Is(0), p => ids.Contains(p.Id) && p.Level == 0,
            "primary-key ranges of 'purchases' for Id in (1, 2, 3, 4, 5, 6, 7, 8, ... (200 values)) (est. 200 rows)");
    }

    [Fact]
    public void A_point_lookup_switches_the_estimates_off_only_while_it_seeks_no_more_keys_than_they_would_descend()
    {
        // Level = 999 holds nothing, and estimating it takes two descents. Two keys cost no more than that: the lookup is
        // read without estimating the other path. Three keys cost more, so the other path is estimated, and wins.
        Check(f => f.Id.In(1, 2) & f.Level.Is(999), p => p.Id <= 2 && p.Level == 999, "primary-key ranges of 'purchases' for Id in (1, 2) (est. 2 rows)");
        Check(f => f.Id.In(1, 2, 3) & f.Level.Is(999), p => p.Id <= 3 && p.Level == 999, "index 'Level' for Level = 999 (est. 0 rows)");

        // The whole unique index fixed is a lookup too: CustomerId and Seq (0 for every document) name one document each.
        // The CustomerPlaced path has as many ranges as the lookup has values (six descents), so it is not estimated.
        Check(f => f.CustomerId.In(1, 2, 3) & f.Seq.Is(0) & f.Level.Is(999), p => p.CustomerId <= 3 && p.Seq == 0 && p.Level == 999,
            "index 'Level' for Level = 999 (est. 0 rows)");
    }

    [Fact]
    public void A_union_branchs_point_lookup_switches_its_other_paths_estimates_off_as_at_the_top()
    {
        // Level = 0 holds 3,800 documents, so the union is estimated. Its first branch looks up two keys, which cost no more
        // than estimating Level = 999 (two descents): the branch keeps the lookup, as the same AND does at the top level,
        // rather than descending the Level tree for it.
        Check(f => ((f.Id.In(1, 2) & f.Level.Is(999)) | f.Total.Is(147)) & f.Level.Is(0),
            p => ((p.Id <= 2 && p.Level == 999) || p.Total == 147) && p.Level == 0,
            "union of [primary-key ranges of 'purchases' for Id in (1, 2) (est. 2 rows)] and [index 'Total' for Total = 147 (est. 1 rows)]");
    }

    [Fact]
    public void A_union_whose_branch_is_a_lookup_counts_no_descents_for_it()
    {
        // The top-level lookup seeks five keys. The union's first branch is a lookup of three, which is never estimated, so
        // estimating the union costs the two descents of Level = 999 alone: fewer than five, so it is estimated (0 rows
        // there), and the three keys beat the five. Counted as the six descents of its three ranges, the union kept its
        // guess (3 + 40) and lost to the five keys.
        Check(f => (f.Id.In(1, 2, 3) | f.Level.Is(999)) & f.Id.In(1, 2, 3, 4, 5),
            p => (p.Id <= 3 || p.Level == 999) && p.Id <= 5,
            "union of [primary-key ranges of 'purchases' for Id in (1, 2, 3) (est. 3 rows)] and [index 'Level' for Level = 999 (est. 0 rows)]");
    }

    [Fact]
    public void A_unique_index_or_the_key_without_every_member_fixed_is_estimated_like_any_path()
    {
        // A range on the key, or on the unique CustomerSeq index's leading member with Seq free, is no point lookup: it is
        // estimated from its tree (11 documents, 1) and beats Level = 0 (3,800, guessed 40).
        Check(f => f.Id.AtLeast(3990) & f.Level.Is(0), p => p.Id >= 3990 && p.Level == 0, "primary-key ranges of 'purchases' for Id >= 3990 (est. 11 rows)");
        var explained = _purchases.Query().Where(f => f.CustomerId.Is(7) & f.Level.Is(0)).Explain();
        Assert.True(explained.StartsWith("index 'Customer", StringComparison.Ordinal) && explained.Contains("for CustomerId = 7 (est. 1 rows)", StringComparison.Ordinal),
            explained);
    }

    /// <summary>
    /// Random conditions mixing unions of key lookups (one key to several), equalities and ranges on the skewed indexes, and
    /// ANDs of them with lookups at the top level, so that the point-lookup rule switches the estimates of a union's
    /// branches on and off: whatever path each branch and the whole take, the results and the count are LINQ's.
    /// </summary>
    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    public void Random_unions_and_lookups_return_what_linq_returns(int seed)
    {
        var random = new Random(seed);
        var f = PurchaseCollection.Fields;
        for (var i = 0; i < 60; i++)
        {
            var (where, linq) = random.Next(3) switch
            {
                0 => Term(random, f),
                1 => Or(Term(random, f), Term(random, f)),
                _ => And(Or(And(Term(random, f), Term(random, f)), Term(random, f)), Term(random, f)),
            };
            var query = _purchases.Query().Where(where);
            var context = query.Explain();
            Assert.True(_all.Where(linq).Select(p => p.Id).SequenceEqual(query.ToList().Select(p => p.Id).Order()), context);
            Assert.True(_all.Count(linq) == query.Count(), context);
        }

        static (Condition<Purchase>, Func<Purchase, bool>) Or((Condition<Purchase> C, Func<Purchase, bool> F) a, (Condition<Purchase> C, Func<Purchase, bool> F) b) =>
            (a.C | b.C, p => a.F(p) || b.F(p));

        static (Condition<Purchase>, Func<Purchase, bool>) And((Condition<Purchase> C, Func<Purchase, bool> F) a, (Condition<Purchase> C, Func<Purchase, bool> F) b) =>
            (a.C & b.C, p => a.F(p) && b.F(p));
    }

    /// <summary>A random term: a lookup of one to six keys, an equality or a range on Level or Total, or a range of keys.</summary>
    private static (Condition<Purchase>, Func<Purchase, bool>) Term(Random random, PurchaseFields f)
    {
        switch (random.Next(6))
        {
            case 0:
            case 1:
                var ids = Enumerable.Range(0, random.Next(1, 7)).Select(_ => (long)random.Next(-2, Count + 3)).Distinct().ToList();
                return (ids.Count == 1 ? f.Id.Is(ids[0]) : f.Id.In(ids), p => ids.Contains(p.Id));
            case 2:
                var level = random.Next(3) == 0 ? 0 : random.Next(1, 60) * (random.Next(10) == 0 ? 20 : 1);
                return (f.Level.Is(level), p => p.Level == level);
            case 3:
                var total = random.Next(2) == 0 ? 5 : 100 + (20 * random.Next(0, 205)) + 7;
                return (f.Total.Is(total), p => p.Total == total);
            case 4:
                var least = random.Next(0, 60);
                return (f.Level.AtLeast(least), p => p.Level >= least);
            default:
                var from = random.Next(0, Count + 10);
                return (f.Id.AtLeast(from), p => p.Id >= from);
        }
    }

    /// <summary>
    /// Inserts <paramref name="documents"/> into a new database in a write transaction, held in its overlay or not, and
    /// checks the plan and results of <c>Level = 0 and Total >= 3900</c> in that transaction.
    /// </summary>
    private static void CheckInNewWrite(List<Purchase> documents, bool inOverlay, string plan)
    {
        using var db = Database.OpenInMemory();
        var purchases = new PurchaseCollection(db);
        using var write = db.BeginWrite();
        purchases.InsertMany(documents, write);
        Assert.Equal(inOverlay, write.UsesOverlay);
        var query = purchases.Query(write).Where(f => f.Level.Is(0) & f.Total.AtLeast(3900));
        Assert.StartsWith(plan, query.Explain(), StringComparison.Ordinal);
        Assert.Equal(documents.Where(p => p.Level == 0 && p.Total >= 3900).Select(p => p.Id), query.ToList().Select(p => p.Id).Order());
    }

    private void Check(Func<PurchaseFields, Condition<Purchase>> where, Func<Purchase, bool> linq, string plan)
    {
        var query = _purchases.Query().Where(where);
        var explained = query.Explain();
        Assert.True(explained.StartsWith(plan + " -> filter", StringComparison.Ordinal), $"expected {plan}, got {explained}");
        Assert.Equal(_all.Where(linq).Select(p => p.Id), query.ToList().Select(p => p.Id).Order());
        Assert.Equal(_all.Count(linq), query.Count());
    }
}
