using Persistence.Testing;

namespace Persistence.Tests.Query;

/// <summary>Query semantics at the edges of values and of what a query reads (review findings).</summary>
public sealed class QueryEdgeTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Any answers whether a document matches and hands none out: like Count and Contains, it must not count as a read
    /// of the document it finds, which in a sliding-expiration collection would keep it alive.
    /// </summary>
    [Fact]
    public void Any_does_not_extend_the_documents_it_finds()
    {
        var time = new FakeTimeProvider(Start);
        using var db = OpenSliding(time);
        var users = new Persistence.Tests.Collections.UserCollection(db);
        users.Insert(new Persistence.Tests.Collections.User { Id = 1, Email = "a@example.com", Age = 30 });
        users.Insert(new Persistence.Tests.Collections.User { Id = 2, Email = "b@example.com", Age = 40 });
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.True(users.Query().Where(u => u.Age.Is(30)).Any()); // index path
        Assert.True(users.Query().Where(u => u.Name.Is("")).OrderBy(u => u.Age).Any()); // full scan, sorted
        Assert.True(users.Query().Where(u => u.Id.AtLeast(2)).Any()); // primary-key path
        Assert.False(users.Query().Where(u => u.Age.AtLeast(30)).Skip(2).Any());
        time.Advance(TimeSpan.FromSeconds(5)); // 10 s: both expire as written

        Assert.Equal(0, users.Count());
        Assert.Null(users.Get(1));
    }

    /// <summary>
    /// Values compare as their member type's CompareTo orders them, the order OrderBy sorts in and keys hold: a NaN equals
    /// NaN and precedes every number (unlike C#'s == and &lt;, for which NaN is unordered), and -0.0 equals 0.0. An index
    /// path and a scan (IsNot, which no index serves) agree.
    /// </summary>
    [Fact]
    public void NaN_equals_itself_and_precedes_every_number_on_every_path()
    {
        using var db = Database.OpenInMemory();
        var readings = new ReadingCollection(db, expiring: false);
        var negativeNaN = BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8_0000_0000_0001));
        double?[] scores = [double.NaN, negativeNaN, double.NegativeInfinity, -0.0, 0.0, 1.0, null];
        for (var i = 0; i < scores.Length; i++)
        {
            readings.Insert(new Reading { Id = i, Score = scores[i] });
        }

        long[] Ids(Func<ReadingFields, Persistence.Query.Condition<Reading>> condition, bool scan = false) =>
            [.. readings.Query().Where(f => scan ? condition(f) & f.Score.IsNot(12345.0) : condition(f)).Select(r => r.Id).Order()];

        foreach (var scan in new[] { false, true })
        {
            Assert.Equal([0L, 1L], Ids(f => f.Score.Is(double.NaN), scan));
            Assert.Equal([0L, 1L], Ids(f => f.Score.LessThan(double.NegativeInfinity), scan));
            Assert.Equal([0L, 1L, 2L], Ids(f => f.Score.LessThan(0.0), scan));
            Assert.Equal([3L, 4L], Ids(f => f.Score.Is(-0.0), scan));
            Assert.Equal([3L, 4L, 5L], Ids(f => f.Score.GreaterThan(double.NaN) & f.Score.AtLeast(0.0), scan));
            Assert.Equal([0L, 1L, 2L, 3L, 4L], Ids(f => f.Score.Between(double.NaN, 0.0), scan));
            Assert.Equal([0L, 1L, 6L], Ids(f => f.Score.In(double.NaN, null), scan));
        }

        Assert.Contains("index 'Score'", readings.Query().Where(f => f.Score.Is(double.NaN)).Explain(), StringComparison.Ordinal);
        Assert.Equal([6L, 0L, 1L, 2L, 3L, 4L, 5L], readings.Query().OrderBy(f => f.Score).Select(r => r.Id));
        Assert.Equal(2, readings.Query().Where(f => f.Score.Is(double.NaN)).Count());
    }

    /// <summary>
    /// The count of a page, max(0, min(Take, results - Skip)), does not depend on the results' order: Count with Skip or
    /// Take orders nothing. The orderings compare with comparers that count their calls: Score descending, which the
    /// Score index provides read backwards with its ties to put back in key order run by run, and Price, which the
    /// filter's path does not provide and is sorted in memory. Each page's enumeration compares (the counters are live),
    /// its Count compares never, and the counts are LINQ's.
    /// </summary>
    [Fact]
    public void Count_of_a_page_orders_nothing()
    {
        using var db = Database.OpenInMemory();
        var readings = new ReadingCollection(db, expiring: false);
        for (var i = 0; i < 20; i++)
        {
            readings.Insert(new Reading { Id = i, Score = i % 7, Price = 20 - i });
        }

        var compares = 0;
        var scoreDescending = new Persistence.Query.Field<Reading, double?>("Score", static d => d.Score,
            static (ref Persistence.Serialization.KeyWriter w, double? v) => w.WriteNullableDouble(v),
            Comparer<double?>.Create((x, y) => { compares++; return Comparer<double?>.Default.Compare(x, y); }), [0], false, true);
        var byPrice = new Persistence.Query.Field<Reading, decimal>("Price", static d => d.Price,
            static (ref Persistence.Serialization.KeyWriter w, decimal v) => w.WriteDecimal(v),
            Comparer<decimal>.Create((x, y) => { compares++; return x.CompareTo(y); }), [], false, false);
        var matching = Enumerable.Range(0, 20).Count(i => i % 7 >= 2);
        var queries = new[]
        {
            (Query: readings.Query().Where(f => f.Score.AtLeast(2)).OrderByDescending(_ => scoreDescending), Results: matching),
            (Query: readings.Query().OrderByDescending(_ => scoreDescending), Results: 20),
            (Query: readings.Query().Where(f => f.Score.AtLeast(2)).OrderBy(_ => byPrice), Results: matching),
        };

        foreach (var (query, results) in queries)
        {
            compares = 0;
            Assert.Equal(5, query.Skip(3).Take(5).ToList().Count);
            Assert.True(compares > 0, "the enumeration orders by the counting comparer: " + query.Explain());
            compares = 0;
            foreach (var (skip, take) in new[] { (3, 5), (0, 4), (12, -1), (results - 2, 10), (results + 5, 3), (0, 0) })
            {
                var page = skip > 0 ? query.Skip(skip) : query;
                page = take >= 0 ? page.Take(take) : page;
                Assert.Equal(Math.Max(0, Math.Min(take < 0 ? int.MaxValue : take, results - skip)), page.Count());
            }

            Assert.True(compares == 0, "Count ordered the results of " + query.Explain());
        }
    }

    /// <summary>
    /// Without a condition, a page's count is taken from the collection's count: it must be the page enumeration hands
    /// out wherever the query runs. In a sliding-expiration collection with documents past their own expiry and past
    /// their lifetime that the collector has not removed (two of them kept alive by a read), in a snapshot, in a write
    /// transaction's overlay with an insert, a delete and a document inserted already expired, and after a query's
    /// Delete in that transaction, each page's Count is its ToList's count, as a condition's page's is (Age, filtered).
    /// </summary>
    [Fact]
    public void Count_of_a_page_is_what_its_enumeration_hands_out_in_every_context()
    {
        var time = new FakeTimeProvider(Start);
        using var db = OpenSliding(time);
        var users = new Persistence.Tests.Collections.UserCollection(db);
        for (var i = 0; i < 12; i++)
        {
            users.Insert(new Persistence.Tests.Collections.User
            {
                Id = i, Email = $"{i}@example.com", Age = i % 3, ExpiresAt = i % 4 == 0 ? Start + TimeSpan.FromSeconds(2) : null,
            });
        }

        time.Advance(TimeSpan.FromSeconds(6));
        Assert.NotNull(users.Get(5)); // read: alive until 16 s
        Assert.NotNull(users.Get(6));
        time.Advance(TimeSpan.FromSeconds(5)); // 11 s: 0, 4 and 8 expired at 2 s, the others unread at 10 s
        AssertPagesCounted("the sliding collection", users, null, 2);
        using (var read = db.BeginRead())
        {
            AssertPagesCounted("a snapshot", users, read, 2);
        }

        using var tx = db.BeginWrite();
        users.Insert(new Persistence.Tests.Collections.User { Id = 100, Email = "a@example.com", Age = 1 }, tx);
        users.Insert(new Persistence.Tests.Collections.User { Id = 101, Email = "b@example.com", Age = 2, ExpiresAt = Start }, tx);
        Assert.True(users.Delete(5, tx));
        AssertPagesCounted("the overlay", users, tx, 2);
        Assert.Equal(1, users.Query(tx).Where(u => u.Age.Is(1)).Delete(tx));
        AssertPagesCounted("the transaction after a query's Delete", users, tx, 1);
    }

    /// <summary>A database whose "users" live 10 s after their last write or read (sliding expiration), collected by hand.</summary>
    private static Database OpenSliding(FakeTimeProvider time)
    {
        var options = new DatabaseOptions { TimeProvider = time };
        options.Ttl.RunCollectorInBackground = false;
        options.Collections["users"] = new CollectionOptions { DefaultTimeToLive = TimeSpan.FromSeconds(10), SlidingExpiration = true };
        return Database.OpenInMemory(options);
    }

    private static void AssertPagesCounted(string context, Persistence.Tests.Collections.UserCollection users, Transaction? tx, int results)
    {
        Assert.Equal(results, users.Query(tx).ToList().Count);
        foreach (var (skip, take) in new[] { (0, -1), (1, -1), (0, 1), (1, 1), (3, -1), (0, 50) })
        {
            foreach (var query in new[] { users.Query(tx), users.Query(tx).Where(u => u.Age.AtLeast(0)) })
            {
                var page = skip > 0 ? query.Skip(skip) : query;
                page = take >= 0 ? page.Take(take) : page;
                var counted = page.Count();
                Assert.True(counted == page.ToList().Count, $"{context}, {page.Explain()}: Count {counted}");
            }
        }
    }
}
