using System.Globalization;
using Persistence.Query;

namespace Persistence.Tests.Query;

/// <summary>
/// In lists on several leading members of a composite index: the planner expands their combinations into key ranges up
/// to <see cref="QueryPlanner.MaxKeyRanges"/>, and past it reads the ranges of the members that fit and leaves the rest
/// to the filter. The plans are checked through the planner's internals and Explain, the results against LINQ over
/// every document.
/// </summary>
public sealed class QueryPlannerCombinationCapTests : IDisposable
{
    // Each list holds 1,000 values, of which only a few are stored: even regions, every third aisle, every fourth shelf.
    private static readonly int[] Regions = Spread(1000, 2);
    private static readonly int[] Aisles = Spread(1000, 3);
    private static readonly int[] Shelves = Spread(1000, 4);

    /// <summary>Orderings as member names, '-' for descending; ties in primary-key order, as every query has them.</summary>
    private static readonly string[][] Orderings =
    [
        [], ["Region"], ["-Region"], ["Region", "Aisle", "Shelf", "Weight"], ["-Region", "-Aisle", "-Shelf"], ["Weight", "-Id"], ["-Aisle", "Shelf"],
    ];

    private static readonly (int Skip, int Take)[] Pages = [(0, -1), (5, 17), (0, 10), (40, 25)];

    private readonly Database _db = Database.OpenInMemory();
    private readonly StockCollection _stock;
    private readonly List<Stock> _all;

    public QueryPlannerCombinationCapTests()
    {
        _stock = new StockCollection(_db);
        var random = new Random(4096);
        _all = Enumerable.Range(1, 3000).Select(id => new Stock
        {
            Id = id,
            Region = random.Next(0, 30),
            Aisle = random.Next(0, 20),
            Shelf = random.Next(0, 10),
            Weight = random.Next(0, 100),
        }).ToList();
        _stock.InsertMany(_all);
    }

    public void Dispose() => _db.Dispose();

    [Fact]
    public void Big_in_lists_on_two_members_return_what_linq_returns_in_every_ordering_and_page()
    {
        var f = StockCollection.Fields;
        CheckQueries(f.Region.In(Regions) & f.Aisle.In(Aisles), s => Regions.Contains(s.Region) && Aisles.Contains(s.Aisle));

        // With a range on the next member, and the conditions in another order.
        CheckQueries(f.Shelf.AtLeast(2) & f.Aisle.In(Aisles) & f.Shelf.LessThan(8) & f.Region.In(Regions),
            s => Regions.Contains(s.Region) && Aisles.Contains(s.Aisle) && s.Shelf is >= 2 and < 8);
    }

    [Fact]
    public void Big_in_lists_on_three_members_return_what_linq_returns_in_every_ordering_and_page()
    {
        var f = StockCollection.Fields;
        CheckQueries(f.Region.In(Regions) & f.Aisle.In(Aisles) & f.Shelf.In(Shelves),
            s => Regions.Contains(s.Region) && Aisles.Contains(s.Aisle) && Shelves.Contains(s.Shelf));

        // Regions times three aisles fit under the cap, the shelves do not; then with a range on the next member too.
        int[] aisles = [1, 4, 7];
        CheckQueries(f.Region.In(Regions) & f.Aisle.In(aisles) & f.Shelf.In(Shelves),
            s => Regions.Contains(s.Region) && aisles.Contains(s.Aisle) && Shelves.Contains(s.Shelf));
        CheckQueries(f.Region.In(Regions) & f.Aisle.In(aisles) & f.Shelf.In(Shelves) & f.Weight.Between(20, 70),
            s => Regions.Contains(s.Region) && aisles.Contains(s.Aisle) && Shelves.Contains(s.Shelf) && s.Weight is >= 20 and <= 70);
    }

    [Fact]
    public void The_ranges_are_the_full_product_up_to_the_cap_and_the_prefix_that_fits_past_it()
    {
        var f = StockCollection.Fields;
        var cap = QueryPlanner.MaxKeyRanges;

        // 1,000 x 1,000 values: the first member's ranges, the second member filtered (before, a million ranges).
        AssertPath(f.Region.In(Values(1000)) & f.Aisle.In(Values(1000)), 1000, ["Aisle"]);
        AssertPath(f.Region.In(Values(1000)) & f.Aisle.In(Values(1000)) & f.Shelf.In(Values(1000)), 1000, ["Aisle", "Shelf"]);
        AssertPath(f.Region.In(Values(1000)) & f.Aisle.In(Values(3)) & f.Shelf.In(Values(1000)) & f.Weight.AtLeast(5), 3000, ["Shelf", "Weight"]);

        // Small lists: every combination is a range, up to the cap itself, and the path serves every condition.
        AssertPath(f.Region.In(Values(10)) & f.Aisle.In(Values(20)), 200, []);
        AssertPath(f.Region.In(Values(10)) & f.Aisle.In(Values(20)) & f.Shelf.In(Values(5)) & f.Weight.LessThan(50), 1000, []);
        AssertPath(f.Region.In(Values(64)) & f.Aisle.In(Values(cap / 64)), cap, []);
        AssertPath(f.Region.In(Values(64)) & f.Aisle.In(Values((cap / 64) + 1)), 64, ["Aisle"]);

        // Values that multiply nothing are used whatever their number: the first member's, one value, the values under
        // a single prefix.
        AssertPath(f.Region.In(Values(cap + 1000)), cap + 1000, []);
        AssertPath(f.Region.In(Values(cap + 1000)) & f.Aisle.Is(3), cap + 1000, []);
        AssertPath(f.Region.Is(3) & f.Aisle.In(Values(cap + 1000)), cap + 1000, []);
        AssertPath(f.Region.In(Values(cap + 1000)) & f.Aisle.Is(3) & f.Shelf.In(Values(2)), cap + 1000, ["Shelf"]);
    }

    [Fact]
    public void Explain_says_how_many_ranges_the_index_reads_and_which_members_the_filter_checks()
    {
        var f = StockCollection.Fields;
        var capped = _stock.Query().Where(f.Region.In(Regions) & f.Aisle.In(Aisles) & f.Shelf.AtLeast(3)).Explain();
        var path = capped[..capped.IndexOf(" -> ", StringComparison.Ordinal)];
        Assert.StartsWith("index 'Place' for Region in (-1000, -998, ", path, StringComparison.Ordinal);
        Assert.EndsWith(string.Create(CultureInfo.InvariantCulture,
            $" rows) in 1000 key ranges; Aisle, Shelf left to the filter (Aisle's values would make 1000000 key ranges, over the cap of {QueryPlanner.MaxKeyRanges})"),
            path, StringComparison.Ordinal);
        Assert.DoesNotContain("Aisle in", path, StringComparison.Ordinal);
        Assert.Contains(" -> filter ((Region in (", capped, StringComparison.Ordinal);

        var full = _stock.Query().Where(f.Region.In(1, 2, 3) & f.Aisle.In(4, 5)).OrderByDescending(s => s.Region).Explain();
        Assert.StartsWith("index 'Place' for Region in (1, 2, 3) and Aisle in (4, 5) (descending) (est. ", full, StringComparison.Ordinal);
        Assert.Contains(" rows) in 6 key ranges -> filter ", full, StringComparison.Ordinal);
        Assert.DoesNotContain("left to the filter", full, StringComparison.Ordinal);

        // One range: nothing to add.
        Assert.Contains(" rows) -> filter ", _stock.Query().Where(f.Region.Is(2) & f.Aisle.Is(3)).Explain(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Runs the condition in every ordering and page, each compared with LINQ over every document, and checks that the
    /// plan is the capped index path (so that the test exercises the filter's part).
    /// </summary>
    private void CheckQueries(Condition<Stock> condition, Func<Stock, bool> predicate)
    {
        var matching = _all.Where(predicate).ToList();
        Assert.InRange(matching.Count, 20, _all.Count / 4); // the filter drops documents the ranges read
        foreach (var ordering in Orderings)
        {
            foreach (var (skip, take) in Pages)
            {
                if (ordering.Length == 0 && (skip > 0 || take >= 0))
                {
                    continue; // without an ordering, which documents a page holds is not defined
                }

                var query = Order(_stock.Query().Where(condition), ordering);
                query = skip > 0 ? query.Skip(skip) : query;
                query = take >= 0 ? query.Take(take) : query;
                var wanted = Expected(matching, ordering).Skip(skip).Take(take < 0 ? int.MaxValue : take).Select(s => s.Id).ToList();
                var actual = query.Select(s => s.Id).ToList();
                var plan = query.Explain();
                var message = $"{string.Join(",", ordering)} skip {skip} take {take}: {(plan.Length > 400 ? plan[..100] + " ... " + plan[^300..] : plan)}";
                Assert.Contains("left to the filter", plan, StringComparison.Ordinal);
                Assert.True(ordering.Length == 0 ? wanted.Order().SequenceEqual(actual.Order()) : wanted.SequenceEqual(actual),
                    $"{message}\nwanted {string.Join(",", wanted)}\nactual {string.Join(",", actual)}");
                Assert.True(wanted.Count == query.Count(), message);
            }
        }
    }

    private void AssertPath(Condition<Stock> condition, int ranges, string[] filtered)
    {
        using var tx = _db.BeginRead();
        var plan = QueryPlanner.Plan(_stock, tx, condition, []);
        var path = Assert.IsType<IndexPath<Stock, long>>(plan.Path);
        Assert.True(path.Ranges.Count <= Math.Max(QueryPlanner.MaxKeyRanges, ranges), $"{path.Ranges.Count} ranges");
        Assert.Equal(ranges, path.Ranges.Count);
        Assert.Equal(filtered, path.Filtered?.Members ?? []);
        Assert.Equal(filtered.Length == 0, plan.Exact); // a filtered member's conditions are the filter's
    }

    private static Query<Stock, long, StockFields> Order(Query<Stock, long, StockFields> query, string[] ordering)
    {
        for (var i = 0; i < ordering.Length; i++)
        {
            var (field, descending) = (Field(StockCollection.Fields, ordering[i].TrimStart('-')), ordering[i].StartsWith('-'));
            query = (i, descending) switch
            {
                (0, false) => query.OrderBy(_ => field),
                (0, true) => query.OrderByDescending(_ => field),
                (_, false) => query.ThenBy(_ => field),
                _ => query.ThenByDescending(_ => field),
            };
        }

        return query;
    }

    /// <summary>LINQ's answer: the ordering, then ties by primary key.</summary>
    private static List<Stock> Expected(List<Stock> documents, string[] ordering)
    {
        var list = documents.ToList();
        list.Sort((a, b) =>
        {
            foreach (var part in ordering)
            {
                var cmp = Member(a, part.TrimStart('-')).CompareTo(Member(b, part.TrimStart('-')));
                if (cmp != 0)
                {
                    return part.StartsWith('-') ? -cmp : cmp;
                }
            }

            return a.Id.CompareTo(b.Id);
        });
        return list;
    }

    private static Field<Stock> Field(StockFields f, string member) => member switch
    {
        "Id" => f.Id,
        "Region" => f.Region,
        "Aisle" => f.Aisle,
        "Shelf" => f.Shelf,
        _ => f.Weight,
    };

    private static long Member(Stock stock, string member) => member switch
    {
        "Id" => stock.Id,
        "Region" => stock.Region,
        "Aisle" => stock.Aisle,
        "Shelf" => stock.Shelf,
        _ => stock.Weight,
    };

    /// <summary><paramref name="count"/> distinct values, every <paramref name="step"/>th around zero.</summary>
    private static int[] Spread(int count, int step) => [.. Enumerable.Range(0, count).Select(i => (i - (count / 2)) * step)];

    /// <summary><paramref name="count"/> distinct values from 0.</summary>
    private static int[] Values(int count) => [.. Enumerable.Range(0, count)];
}
