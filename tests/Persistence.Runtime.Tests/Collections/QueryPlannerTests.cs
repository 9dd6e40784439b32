using System.Globalization;

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
}
