using System.Globalization;
using Persistence.Query;

namespace Persistence.Tests.Collections;

/// <summary>
/// Which access path the planner picks for ranges with orderings, composite indexes and primary-key tie-breaks, and that
/// the results stay exactly LINQ's (ties in primary-key order) whatever it picks (review findings).
/// </summary>
public sealed class QueryPlannerTests : IDisposable
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly string?[] Channels = [null, "web", "shop", "phone"];
    private readonly Database _db = Database.OpenInMemory();
    private readonly PurchaseCollection _purchases;
    private readonly List<Purchase> _all;

    public QueryPlannerTests()
    {
        _purchases = new PurchaseCollection(_db);

        // 8 customers with 50 purchases each, one an hour; Seq numbers each customer's purchases.
        _all = Enumerable.Range(1, 400).Select(i => new Purchase
        {
            Id = i,
            CustomerId = i % 8,
            Seq = i / 8,
            PlacedAt = Epoch.AddHours(i / 8).ToOffset(TimeSpan.FromHours(i % 3)),
            Total = (i * 7) % 50,
            Level = i % 10,
            Channel = Channels[i % 4],
            Note = $"n{i % 6}",
        }).ToList();
        _purchases.InsertMany(_all);
    }

    public void Dispose() => _db.Dispose();

    [Fact]
    public void A_range_with_an_ordering_by_its_member_reads_only_the_range_in_the_ordering_direction()
    {
        // Before, a descending ordering read the whole index backwards ("est. 400 rows") and filtered it.
        var descending = _purchases.Query().Where(p => p.Level.AtLeast(3)).OrderByDescending(p => p.Level);
        var plan = descending.Explain();
        Assert.StartsWith("index 'Level' for Level >= 3 (descending)", plan, StringComparison.Ordinal);
        Assert.Contains("order by Level descending (from the access path)", plan, StringComparison.Ordinal);
        Assert.Equal(_all.Where(p => p.Level >= 3).OrderByDescending(p => p.Level).ThenBy(p => p.Id).Select(p => p.Id), descending.Select(p => p.Id));

        var ascending = _purchases.Query().Where(p => p.Level.LessThan(6)).OrderBy(p => p.Level);
        Assert.StartsWith("index 'Level' for Level < 6 (est.", ascending.Explain(), StringComparison.Ordinal);
        Assert.Contains("(from the access path)", ascending.Explain(), StringComparison.Ordinal);
        Assert.Equal(_all.Where(p => p.Level < 6).OrderBy(p => p.Level).ThenBy(p => p.Id).Select(p => p.Id), ascending.Select(p => p.Id));
    }

    [Fact]
    public void Between_with_a_descending_ordering_by_its_member_reads_the_range_backwards()
    {
        // Before, the range was read forwards and sorted in memory.
        var query = _purchases.Query().Where(p => p.Total.Between(10, 20)).OrderByDescending(p => p.Total);
        var plan = query.Explain();
        Assert.StartsWith("index 'Total' for Total between 10 and 20 (descending)", plan, StringComparison.Ordinal);
        Assert.Contains("(from the access path)", plan, StringComparison.Ordinal);
        var expected = _all.Where(p => p.Total is >= 10 and <= 20).OrderByDescending(p => p.Total).ThenBy(p => p.Id).Select(p => p.Id).ToList();
        Assert.Equal(expected, query.Select(p => p.Id));
        Assert.Equal(expected.Skip(7).Take(9), query.Skip(7).Take(9).Select(p => p.Id));
    }

    [Fact]
    public void Two_range_conditions_on_one_indexed_member_are_one_bounded_range()
    {
        var query = _purchases.Query().Where(p => p.Level.AtLeast(3) & p.Level.LessThan(5)).OrderByDescending(p => p.Level);
        var plan = query.Explain();
        Assert.StartsWith("index 'Level' for Level >= 3 and Level < 5 (descending)", plan, StringComparison.Ordinal);
        Assert.Contains("(from the access path)", plan, StringComparison.Ordinal);
        Assert.Equal(_all.Where(p => p.Level is >= 3 and < 5).OrderByDescending(p => p.Level).ThenBy(p => p.Id).Select(p => p.Id), query.Select(p => p.Id));
        Assert.Equal(_all.Count(p => p.Level is >= 3 and < 5), query.Count());
    }

    [Fact]
    public void Equality_on_a_composite_index_prefix_and_a_range_on_the_next_member_is_one_bounded_range_in_that_members_order()
    {
        var (from, to) = (Epoch.AddHours(10), Epoch.AddHours(35));
        var expected = _all.Where(p => p.CustomerId == 3 && p.PlacedAt >= from && p.PlacedAt < to).OrderBy(p => p.PlacedAt).ThenBy(p => p.Id).Select(p => p.Id).ToList();
        Assert.Equal(25, expected.Count);

        // Before, only the CustomerId prefix was used (est. 4 rows, for 50 entries read), then a filter and a sort.
        var prefixOnly = Estimate(_purchases.Query().Where(p => p.CustomerId.Is(3)).Explain());
        var query = _purchases.Query().Where(p => p.CustomerId.Is(3) & p.PlacedAt.AtLeast(from) & p.PlacedAt.LessThan(to));
        var plan = query.Explain();
        Assert.StartsWith($"index 'CustomerPlaced' for CustomerId = 3 and PlacedAt >= {from:O} and PlacedAt < {to:O} (est.", plan, StringComparison.Ordinal);
        Assert.InRange(Estimate(plan), 1, prefixOnly);
        Assert.Equal(expected, query.Select(p => p.Id)); // without an ordering, in the index's order
        Assert.Equal(25, query.Count());

        var ordered = query.OrderBy(p => p.PlacedAt);
        Assert.Contains("order by PlacedAt (from the access path)", ordered.Explain(), StringComparison.Ordinal);
        Assert.Equal(expected, ordered.Select(p => p.Id));
        var backwards = query.OrderByDescending(p => p.PlacedAt);
        Assert.Contains("(descending)", backwards.Explain(), StringComparison.Ordinal);
        Assert.Contains("order by PlacedAt descending (from the access path)", backwards.Explain(), StringComparison.Ordinal);
        Assert.Equal(_all.Where(p => p.CustomerId == 3 && p.PlacedAt >= from && p.PlacedAt < to).OrderByDescending(p => p.PlacedAt).ThenBy(p => p.Id).Select(p => p.Id), backwards.Select(p => p.Id));

        // Equality alone on the prefix provides the order of the next member; Between on it bounds the range as well.
        var customer = _purchases.Query().Where(p => p.CustomerId.Is(5)).OrderByDescending(p => p.PlacedAt).Take(5);
        Assert.Contains("order by PlacedAt descending (from the access path)", customer.Explain(), StringComparison.Ordinal);
        Assert.Equal(_all.Where(p => p.CustomerId == 5).OrderByDescending(p => p.PlacedAt).ThenBy(p => p.Id).Take(5).Select(p => p.Id), customer.Select(p => p.Id));
        var between = _purchases.Query().Where(p => p.PlacedAt.Between(from, to) & p.CustomerId.Is(1));
        Assert.StartsWith("index 'CustomerPlaced' for CustomerId = 1 and PlacedAt between", between.Explain(), StringComparison.Ordinal);
        Assert.Equal(_all.Where(p => p.CustomerId == 1 && p.PlacedAt >= from && p.PlacedAt <= to).Select(p => p.Id).Order(), between.Select(p => p.Id).Order());
    }

    [Fact]
    public void A_nullable_composite_prefix_and_a_unique_composite_index_bound_their_next_member()
    {
        var channel = _purchases.Query().Where(p => p.Channel.Is(null) & p.Total.GreaterThan(30)).OrderBy(p => p.Total);
        Assert.StartsWith("index 'ChannelTotal' for Channel = null and Total > 30", channel.Explain(), StringComparison.Ordinal);
        Assert.Contains("(from the access path)", channel.Explain(), StringComparison.Ordinal);
        Assert.Equal(_all.Where(p => p.Channel is null && p.Total > 30).OrderBy(p => p.Total).ThenBy(p => p.Id).Select(p => p.Id), channel.Select(p => p.Id));

        var seq = _purchases.Query().Where(p => p.CustomerId.Is(2) & p.Seq.AtMost(10)).OrderByDescending(p => p.Seq);
        Assert.StartsWith("index 'CustomerSeq' for CustomerId = 2 and Seq <= 10 (descending)", seq.Explain(), StringComparison.Ordinal);
        Assert.Contains("(from the access path)", seq.Explain(), StringComparison.Ordinal);
        Assert.Equal(_all.Where(p => p.CustomerId == 2 && p.Seq <= 10).OrderByDescending(p => p.Seq).Select(p => p.Id), seq.Select(p => p.Id));
        Assert.Single(_purchases.Query().Where(p => p.CustomerId.Is(2) & p.Seq.Is(10)).ToList());
        Assert.Contains("(est. 1 rows)", _purchases.Query().Where(p => p.CustomerId.Is(2) & p.Seq.Is(10)).Explain(), StringComparison.Ordinal);
    }

    [Fact]
    public void ThenBy_the_primary_key_after_an_index_ordering_needs_no_sort_in_either_direction()
    {
        // Before, any ThenBy after an index ordering was sorted in memory.
        var cases = new (Query<Purchase, long, PurchaseFields> Query, IEnumerable<Purchase> Expected)[]
        {
            (_purchases.Query().OrderBy(p => p.Level).ThenBy(p => p.Id), _all.OrderBy(p => p.Level).ThenBy(p => p.Id)),
            (_purchases.Query().OrderByDescending(p => p.Level).ThenByDescending(p => p.Id), _all.OrderByDescending(p => p.Level).ThenByDescending(p => p.Id)),
            (_purchases.Query().OrderByDescending(p => p.Level).ThenBy(p => p.Id), _all.OrderByDescending(p => p.Level).ThenBy(p => p.Id)),
            (_purchases.Query().OrderBy(p => p.Level).ThenByDescending(p => p.Id), _all.OrderBy(p => p.Level).ThenByDescending(p => p.Id)),
            (_purchases.Query().Where(p => p.Level.AtLeast(7)).OrderBy(p => p.Level).ThenBy(p => p.Id).ThenBy(p => p.Note),
                _all.Where(p => p.Level >= 7).OrderBy(p => p.Level).ThenBy(p => p.Id)),
            (_purchases.Query().Where(p => p.Level.Is(4)).OrderByDescending(p => p.Id), _all.Where(p => p.Level == 4).OrderByDescending(p => p.Id)),
            (_purchases.Query().Where(p => p.CustomerId.Is(4)).OrderBy(p => p.PlacedAt).ThenByDescending(p => p.Id),
                _all.Where(p => p.CustomerId == 4).OrderBy(p => p.PlacedAt).ThenByDescending(p => p.Id)),
        };
        foreach (var (query, expected) in cases)
        {
            var plan = query.Explain();
            Assert.Contains("(from the access path)", plan, StringComparison.Ordinal);
            Assert.DoesNotContain("in memory", plan, StringComparison.Ordinal);
            Assert.Equal(expected.Select(p => p.Id), query.Select(p => p.Id));
            Assert.Equal(expected.Skip(3).Take(11).Select(p => p.Id), query.Skip(3).Take(11).Select(p => p.Id));
        }
    }

    [Fact]
    public void First_on_an_empty_result_throws_DocumentNotFound_and_FirstOrDefault_returns_null()
    {
        var none = _purchases.Query().Where(p => p.Level.Is(99));
        var ex = Assert.Throws<DocumentException>(() => none.First());
        Assert.Equal(ErrorCode.DocumentNotFound, ex.Code); // before: QueryException, InvalidQuery, for a valid query
        Assert.Equal("purchases", ex.Collection);
        Assert.Null(none.FirstOrDefault());
        Assert.Equal(_all.Where(p => p.Level == 9).Max(p => p.Id), _purchases.Query().Where(p => p.Level.Is(9)).OrderByDescending(p => p.Id).First().Id);
    }

    [Fact]
    public void Explain_writes_values_the_same_in_every_culture_and_dates_in_ISO_8601()
    {
        var at = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)).AddTicks(1234567);
        var query = _purchases.Query().Where(p => p.PlacedAt.AtLeast(at) & p.Total.In(-1500, 20) & p.Channel.Is("wéb")).Skip(1000).Take(2000);
        var invariant = Explain(CultureInfo.InvariantCulture);
        foreach (var culture in new[] { "de-DE", "sv-SE", "ar-SA", "th-TH", "fa-IR" })
        {
            Assert.Equal(invariant, Explain(CultureInfo.GetCultureInfo(culture)));
        }

        Assert.Contains("PlacedAt >= 2026-03-04T05:06:07.1234567+02:00", invariant, StringComparison.Ordinal);
        Assert.Contains("Total in (-1500, 20)", invariant, StringComparison.Ordinal);
        Assert.Contains("skip 1000 -> take 2000", invariant, StringComparison.Ordinal);

        string Explain(CultureInfo culture)
        {
            var (saved, savedUi) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
            try
            {
                (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, culture);
                return query.Explain();
            }
            finally
            {
                (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (saved, savedUi);
            }
        }
    }

    [Fact]
    public async Task DeleteAsync_deletes_in_its_own_transaction_or_the_one_given_and_reports_failures_in_the_task()
    {
        var low = _all.Count(p => p.Level < 2);
        Assert.Equal(low, await _purchases.Query().Where(p => p.Level.LessThan(2)).DeleteAsync());
        Assert.Equal(0, _purchases.Query().Where(p => p.Level.LessThan(2)).Count());

        // In the caller's write transaction: nothing is visible outside it until it commits.
        using (var write = _db.BeginWrite())
        {
            Assert.Equal(_all.Count(p => p.Level == 5), await _purchases.Query().Where(p => p.Level.Is(5)).DeleteAsync(write));
            Assert.Equal(_all.Count(p => p.Level == 6), await _purchases.Query(write).Where(p => p.Level.Is(6)).DeleteAsync());
            Assert.Equal(_all.Count(p => p.Level == 5), _purchases.Query().Where(p => p.Level.Is(5)).Count());
            write.Commit();
        }

        Assert.Equal(0, _purchases.Query().Where(p => p.Level.In(5, 6)).Count());

        // A read transaction cannot delete; a cancelled token cancels before anything is deleted.
        using (var read = _db.BeginRead())
        {
            var refused = _purchases.Query(read).Where(p => p.Level.Is(7)).DeleteAsync();
            Assert.Equal(ErrorCode.ReadOnlyTransaction, (await Assert.ThrowsAsync<TransactionStateException>(() => refused)).Code);
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _purchases.Query().Where(p => p.Level.Is(7)).DeleteAsync(cancellationToken: new CancellationToken(true)));
        Assert.Equal(_all.Count(p => p.Level == 7), _purchases.Query().Where(p => p.Level.Is(7)).Count());
        TestDatabases.AssertConsistent(_db);
    }

    private static double Estimate(string plan)
    {
        var start = plan.IndexOf("(est. ", StringComparison.Ordinal) + "(est. ".Length;
        return double.Parse(plan[start..plan.IndexOf(" rows)", start, StringComparison.Ordinal)], CultureInfo.InvariantCulture);
    }
}
