using Persistence.Query;
using Persistence.Serialization;
using Persistence.Testing;

namespace Persistence.Tests.Query;

/// <summary>
/// A differential test of query semantics at the edges where a member's comparer and its key encoding meet: random
/// conditions, orderings and pages over <see cref="Reading"/> documents (NaN, infinities and both zeros; decimals of
/// several scales; DateTimes of every Kind; an sbyte enum at its extremes; strings above U+FFFF and in U+E000-U+FFFF;
/// expiring documents), compared with LINQ to objects over the same documents as they read back, whatever plan the
/// planner picks: in snapshots, in write transactions whose writes are still in the overlay and in ones that moved past
/// it to their own tree, as the documents' expiry times pass; and the index accessors' Find, Range, prefix and counts.
/// </summary>
public sealed class QuerySemanticsRandomTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly DateTime Epoch = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    private static readonly double?[] Scores =
    [
        null, double.NaN, BitConverter.Int64BitsToDouble(unchecked((long)0xFFF8_0000_0000_0001)), double.NegativeInfinity, double.MinValue,
        -1.5, -0.0, 0.0, double.Epsilon, 1.5, double.MaxValue, double.PositiveInfinity,
    ];

    private static readonly decimal[] Prices =
    [
        decimal.MinValue, -1.5m, -1.50m, new decimal(0, 0, 0, true, 2), 0m, 0.000m, 0.0000001m, 1m, 1.0m, 1.00m, 2.5m, decimal.MaxValue,
    ];

    private static readonly DateTime[] Ats =
    [
        DateTime.MinValue, Epoch, DateTime.SpecifyKind(Epoch, DateTimeKind.Unspecified), Epoch.AddTicks(1), Epoch.AddTicks(-1),
        Epoch.ToLocalTime(), Epoch.AddDays(1).ToLocalTime(), DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Unspecified),
    ];

    private static readonly Tier[] Tiers = [Tier.Lowest, Tier.Low, Tier.Mid, Tier.High, Tier.Highest];

    private static readonly string?[] Names = [null, "", "a", "a\0", "ab", "é", "\uE000", "\uFFFF", "\U0001F600", "\U0001F600a", "z"];

    private readonly FakeTimeProvider _time = new(Start);
    private readonly Database _db;
    private ReadingCollection _readings = null!;
    private bool _expiring;
    private int _nextName;

    public QuerySemanticsRandomTests()
    {
        var options = TestDatabases.Small(_time);
        options.Ttl.RunCollectorInBackground = false;
        options.Collections["lasting-readings"] = new CollectionOptions { HotCacheMaxCount = 64 }; // reads through the hot cache too
        _db = Database.OpenInMemory(options);
    }

    public void Dispose() => _db.Dispose();

    /// <summary>
    /// With an expiry, every count reads documents; without one, a count an index path answers alone counts its entries,
    /// and documents are read through a hot cache.
    /// </summary>
    [Theory]
    [InlineData(20261125, true)]
    [InlineData(7, true)]
    [InlineData(20261125, false)]
    [InlineData(7, false)]
    public void Random_queries_match_linq_at_every_edge_in_every_transaction_kind(int seed, bool expiring)
    {
        _expiring = expiring;
        _readings = new ReadingCollection(_db, expiring);
        var random = new Random(seed);
        var model = new Dictionary<long, Reading>();
        for (var i = 0; i < 250; i++)
        {
            var reading = RandomReading(random, random.Next(0, 400));
            if (model.TryAdd(reading.Id, Stored(reading)))
            {
                _readings.Insert(reading);
            }
        }

        for (var round = 0; round < 10; round++)
        {
            CheckQueries(random, null, model, 25);
            var changed = model.ToDictionary(p => p.Key, p => Clone(p.Value));
            using (var tx = _db.BeginWrite())
            {
                // Few writes stay in the overlay; past 128 they move to the transaction's own tree.
                var writes = round % 2 == 0 ? random.Next(1, 30) : random.Next(140, 260);
                for (var n = 0; n < writes; n++)
                {
                    Change(random, tx, changed);
                }

                CheckQueries(random, tx, changed, 20);
                if (random.Next(2) == 0)
                {
                    // A query's results deleted in the transaction that changed them, then queried again.
                    var (condition, predicate) = RandomCondition(random, ReadingCollection.Fields, 1);
                    var doomed = changed.Values.Where(r => Visible(r, tx.SnapshotTime) && predicate(r)).Select(r => r.Id).ToList();
                    Assert.Equal(doomed.Count, _readings.Query(tx).Where(condition).Delete(tx));
                    doomed.ForEach(id => changed.Remove(id));
                    CheckQueries(random, tx, changed, 5);
                }

                if (random.Next(2) == 0)
                {
                    tx.Commit();
                    model = changed;
                }
            }

            _time.Advance(TimeSpan.FromSeconds(random.Next(0, 40)));
        }

        TestDatabases.AssertConsistent(_db);
    }

    private void Change(Random random, WriteTransaction tx, Dictionary<long, Reading> changed)
    {
        var id = random.Next(0, 400);
        var visible = changed.TryGetValue(id, out var current) && Visible(current, tx.SnapshotTime);
        switch (random.Next(4))
        {
            case 0 when visible:
                Assert.True(_readings.Delete(id, tx));
                changed.Remove(id);
                break;
            case 1 when visible:
                // The indexed members move: the document must be found under its new values only.
                var update = RandomReading(random, id);
                update.Name = current!.Name;
                _readings.Update(update, tx);
                changed[id] = Stored(update);
                break;
            case 2 when visible:
                // Deleted, then inserted again with other values.
                Assert.True(_readings.Delete(id, tx));
                var again = RandomReading(random, id);
                _readings.Insert(again, tx);
                changed[id] = Stored(again);
                break;
            default:
                if (!visible)
                {
                    var insert = RandomReading(random, id);
                    _readings.Upsert(insert, tx);
                    changed[id] = Stored(insert);
                }

                break;
        }
    }

    private void CheckQueries(Random random, Transaction? transaction, Dictionary<long, Reading> model, int count)
    {
        using var owned = transaction is null ? _db.BeginRead() : null;
        var tx = transaction ?? owned!;
        var all = model.Values.Where(r => Visible(r, tx.SnapshotTime)).ToList();
        for (var n = 0; n < count; n++)
        {
            var (condition, predicate) = RandomCondition(random, ReadingCollection.Fields, 0);
            var query = _readings.Query(tx).Where(condition);
            var expected = all.Where(predicate);
            var ordered = true;
            switch (random.Next(10))
            {
                case 0:
                    query = query.OrderBy(r => r.Score);
                    expected = expected.OrderBy(r => r.Score).ThenBy(r => r.Id);
                    break;
                case 1:
                    query = query.OrderByDescending(r => r.Score);
                    expected = expected.OrderByDescending(r => r.Score).ThenBy(r => r.Id);
                    break;
                case 2:
                    query = query.OrderBy(r => r.Price);
                    expected = expected.OrderBy(r => r.Price).ThenBy(r => r.Id);
                    break;
                case 3:
                    query = query.OrderByDescending(r => r.Price).ThenByDescending(r => r.Id);
                    expected = expected.OrderByDescending(r => r.Price).ThenByDescending(r => r.Id);
                    break;
                case 4:
                    query = query.OrderBy(r => r.At);
                    expected = expected.OrderBy(r => r.At).ThenBy(r => r.Id);
                    break;
                case 5:
                    query = query.OrderByDescending(r => r.Tier).ThenBy(r => r.Score);
                    expected = expected.OrderByDescending(r => r.Tier).ThenBy(r => r.Score).ThenBy(r => r.Id);
                    break;
                case 6:
                    query = query.OrderBy(r => r.Name);
                    expected = expected.OrderBy(r => r.Name, StringComparer.Ordinal).ThenBy(r => r.Id);
                    break;
                case 7:
                    query = query.OrderByDescending(r => r.Name);
                    expected = expected.OrderByDescending(r => r.Name, StringComparer.Ordinal).ThenBy(r => r.Id);
                    break;
                default:
                    ordered = false;
                    expected = expected.OrderBy(r => r.Id);
                    break;
            }

            var skip = random.Next(3) == 0 ? random.Next(0, 2) == 0 ? random.Next(1, 6) : random.Next(200, 1000) : 0;
            var take = random.Next(3) == 0 ? random.Next(0, 12) : -1;
            query = skip > 0 ? query.Skip(skip) : query;
            query = take >= 0 ? query.Take(take) : query;
            expected = expected.Skip(skip);
            expected = take >= 0 ? expected.Take(take) : expected;
            var wanted = expected.Select(r => r.Id).ToList();
            var actual = query.Select(r => r.Id).ToList();
            var message = $"{condition}: {query.Explain()}\nwanted {string.Join(",", wanted)}\nactual {string.Join(",", actual)}";
            if (ordered || (skip == 0 && take < 0))
            {
                Assert.True(ordered ? wanted.SequenceEqual(actual) : wanted.Order().SequenceEqual(actual.Order()), message);
            }
            else
            {
                Assert.Equal(wanted.Count, actual.Count);
                Assert.Equal(actual.Count, actual.Distinct().Count());
                Assert.All(actual, id => Assert.True(predicate(model[id]), message));
            }

            Assert.True(wanted.Count == query.Count(), "count of " + message);
            Assert.True(all.Count(predicate) == _readings.Query(tx).Where(condition).Count(), "unpaged count of " + message);
        }

        CheckAccessors(random, tx, all);
    }

    /// <summary>
    /// The index accessors over the same documents: Find and Count by a value (NaN of either sign one value, -0.0 and
    /// 0.0 one value, null a value), Range [from, to) in the index's order, where null sorts first, either way, and a
    /// composite index's prefix.
    /// </summary>
    private void CheckAccessors(Random random, Transaction tx, List<Reading> all)
    {
        var scores = Comparer<double?>.Default;
        for (var n = 0; n < 6; n++)
        {
            var value = Scores[random.Next(Scores.Length)];
            var found = all.Where(r => scores.Compare(r.Score, value) == 0).Select(r => r.Id).Order().ToList();
            Assert.Equal(found, _readings.ByScore.Find(value, tx).Select(r => r.Id));
            Assert.Equal(found.Count, _readings.ByScore.Count(value, tx));

            var from = Scores[random.Next(Scores.Length)];
            var to = Scores[random.Next(Scores.Length)];
            var descending = random.Next(2) == 0;
            var inRange = all.Where(r => scores.Compare(r.Score, from) >= 0 && scores.Compare(r.Score, to) < 0).OrderBy(r => r.Score).ThenBy(r => r.Id).Select(r => r.Id);
            Assert.Equal(descending ? inRange.Reverse() : inRange, _readings.ByScore.Range(from, to, descending, tx).Select(r => r.Id));

            var tier = Tiers[random.Next(Tiers.Length)];
            var inTier = all.Where(r => r.Tier == tier).OrderBy(r => r.Score).ThenBy(r => r.Id).Select(r => r.Id).ToList();
            Assert.Equal(inTier, _readings.ByTierScore.FindByPrefix(tier, tx).Select(r => r.Id));
            Assert.Equal(inTier.Count, _readings.ByTierScore.CountByPrefix(tier, tx));
            Assert.Equal(all.Where(r => r.Tier == tier && scores.Compare(r.Score, value) == 0).Select(r => r.Id).Order(),
                _readings.ByTierScore.Find(tier, value, tx).Select(r => r.Id));
        }

        Assert.Equal(all.OrderByDescending(r => r.Score).ThenByDescending(r => r.Id).Select(r => r.Id), _readings.ByScore.All(descending: true, tx).Select(r => r.Id));
    }

    private bool Visible(Reading reading, DateTimeOffset now) => !_expiring || reading.ExpiresAt is not { } expiresAt || expiresAt > now;

    private Reading RandomReading(Random random, long id) => new()
    {
        Id = id,
        Score = Scores[random.Next(Scores.Length)],
        Price = Prices[random.Next(Prices.Length)],
        At = Ats[random.Next(Ats.Length)],
        Tier = Tiers[random.Next(Tiers.Length)],
        Name = Names[random.Next(Names.Length)] is { } name ? $"{name}{_nextName++}" : null, // unique
        ExpiresAt = random.Next(4) == 0 ? Start.AddSeconds(random.Next(-20, 600)) : null,
    };

    /// <summary>The document as it reads back: a DateTime in UTC.</summary>
    private static Reading Stored(Reading r)
    {
        var copy = Clone(r);
        copy.At = MessagePackWriter.StoredDateTime(r.At);
        return copy;
    }

    private static Reading Clone(Reading r) =>
        new() { Id = r.Id, Score = r.Score, Price = r.Price, At = r.At, Tier = r.Tier, Name = r.Name, ExpiresAt = r.ExpiresAt };

    private static (Condition<Reading>, Func<Reading, bool>) RandomCondition(Random random, ReadingFields f, int depth)
    {
        var roll = depth < 2 ? random.Next(14) : random.Next(10);
        return roll switch
        {
            0 or 1 => On(random, f.Score, r => r.Score, Scores, Comparer<double>.Default),
            2 or 3 => On(random, f.Price, r => r.Price, Prices, Comparer<decimal>.Default),
            4 => On(random, f.At, r => r.At, Ats, Comparer<DateTime>.Create((x, y) => MessagePackWriter.StoredDateTime(x).Ticks.CompareTo(MessagePackWriter.StoredDateTime(y).Ticks))),
            5 => On(random, f.Tier, r => r.Tier, Tiers, Comparer<Tier>.Create((x, y) => ((sbyte)x).CompareTo((sbyte)y))),
            6 or 7 => On(random, f.Name, r => r.Name, Names, Comparer<string>.Create(string.CompareOrdinal)),
            8 => Names[random.Next(Names.Length)] is var prefix && prefix is not null
                ? (f.Name.StartsWith(prefix), r => r.Name is { } name && name.StartsWith(prefix, StringComparison.Ordinal))
                : (f.Tier.Is(Tier.Mid), r => r.Tier == Tier.Mid),
            9 => random.Next(0, 200) is var low && random.Next(150, 400) is var high
                ? (f.Id.Between(low, high), r => r.Id >= low && r.Id <= high)
                : default,
            10 or 11 => Combine(random, f, depth, and: true),
            12 => Combine(random, f, depth, and: false),
            _ => Negate(random, f, depth),
        };
    }

    /// <summary>
    /// A random comparison on one member and its meaning in LINQ: values compare by <paramref name="compare"/> (the
    /// member type's CompareTo: NaN equals itself and precedes every number, -0.0 equals 0.0, 1.0m equals 1.00m); a
    /// null member or value satisfies no comparison, and only equality with null matches a null member.
    /// </summary>
    private static (Condition<Reading>, Func<Reading, bool>) On<TValue, TPlain>(Random random, Field<Reading, TValue> field, Func<Reading, TValue> get,
        IReadOnlyList<TValue> pool, IComparer<TPlain> compare)
    {
        var a = pool[random.Next(pool.Count)];
        var b = pool[random.Next(pool.Count)];
        int? Cmp(TValue x, TValue y) => x is null || y is null ? null : compare.Compare((TPlain)(object)x!, (TPlain)(object)y!);
        bool Eq(TValue x, TValue y) => x is null ? y is null : Cmp(x, y) == 0;
        return random.Next(9) switch
        {
            0 => (field.Is(a), r => Eq(get(r), a)),
            1 => (field.IsNot(a), r => !Eq(get(r), a)),
            2 => (field.LessThan(a), r => Cmp(get(r), a) < 0),
            3 => (field.AtMost(a), r => Cmp(get(r), a) <= 0),
            4 => (field.GreaterThan(a), r => Cmp(get(r), a) > 0),
            5 => (field.AtLeast(a), r => Cmp(get(r), a) >= 0),
            6 => (field.Between(a, b), r => Cmp(get(r), a) >= 0 && Cmp(get(r), b) <= 0),
            7 => (field.In(a, b), r => Eq(get(r), a) || Eq(get(r), b)),
            _ => (field.LessThan(a) & field.AtLeast(b), r => Cmp(get(r), a) < 0 && Cmp(get(r), b) >= 0),
        };
    }

    private static (Condition<Reading>, Func<Reading, bool>) Combine(Random random, ReadingFields f, int depth, bool and)
    {
        var (a, pa) = RandomCondition(random, f, depth + 1);
        var (b, pb) = RandomCondition(random, f, depth + 1);
        return and ? (a & b, r => pa(r) && pb(r)) : (a | b, r => pa(r) || pb(r));
    }

    private static (Condition<Reading>, Func<Reading, bool>) Negate(Random random, ReadingFields f, int depth)
    {
        var (a, pa) = RandomCondition(random, f, depth + 1);
        return (!a, r => !pa(r));
    }
}
