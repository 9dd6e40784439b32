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
        var options = new DatabaseOptions { TimeProvider = time };
        options.Ttl.RunCollectorInBackground = false;
        options.Collections["users"] = new CollectionOptions { DefaultTimeToLive = TimeSpan.FromSeconds(10), SlidingExpiration = true };
        using var db = Database.OpenInMemory(options);
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
}
