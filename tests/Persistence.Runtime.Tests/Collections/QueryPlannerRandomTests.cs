using Persistence.Query;

namespace Persistence.Tests.Collections;

/// <summary>
/// A differential test of the planner: random conjunctions (often several conditions on one composite index's members),
/// orderings and pages over a small collection of <see cref="Purchase"/> documents, compared exactly with LINQ to objects
/// over the same documents (ties in primary-key order), in snapshots and in write transactions that changed them. It
/// also checks that the shapes the planner serves from an index in order do not sort in memory.
/// </summary>
public sealed class QueryPlannerRandomTests : IDisposable
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    // Instants with equal ones at different offsets, and the extremes.
    private static readonly DateTimeOffset[] Instants =
    [
        DateTimeOffset.MinValue, Epoch.AddHours(-1), Epoch, Epoch.ToOffset(TimeSpan.FromHours(5)), Epoch.AddTicks(1), Epoch.AddHours(1).ToOffset(TimeSpan.FromHours(-7)),
        Epoch.AddHours(2), Epoch.AddDays(1), Epoch.AddDays(1).ToOffset(TimeSpan.FromHours(9)), DateTimeOffset.MaxValue,
    ];

    private static readonly string?[] Channels = [null, "", "a", "ab", "ab\0", "b", "é"];

    /// <summary>The members queries order by: the field, and how LINQ compares two documents by it.</summary>
    private static readonly Dictionary<string, (Func<PurchaseFields, Field<Purchase>> Field, Comparison<Purchase> Compare)> Members = new()
    {
        ["Id"] = (f => f.Id, (a, b) => a.Id.CompareTo(b.Id)),
        ["CustomerId"] = (f => f.CustomerId, (a, b) => a.CustomerId.CompareTo(b.CustomerId)),
        ["PlacedAt"] = (f => f.PlacedAt, (a, b) => a.PlacedAt.CompareTo(b.PlacedAt)),
        ["Total"] = (f => f.Total, (a, b) => a.Total.CompareTo(b.Total)),
        ["Level"] = (f => f.Level, (a, b) => a.Level.CompareTo(b.Level)),
        ["Channel"] = (f => f.Channel, (a, b) => StringComparer.Ordinal.Compare(a.Channel, b.Channel)),
        ["Seq"] = (f => f.Seq, (a, b) => a.Seq.CompareTo(b.Seq)),
        ["Note"] = (f => f.Note, (a, b) => StringComparer.Ordinal.Compare(a.Note, b.Note)),
    };

    private static readonly string[][] Orderings =
    [
        [], ["Level"], ["-Level"], ["Level", "Id"], ["-Level", "-Id"], ["Level", "-Id"], ["-Level", "Id"], ["PlacedAt"], ["-PlacedAt"],
        ["PlacedAt", "-Id"], ["CustomerId", "PlacedAt"], ["-CustomerId", "-PlacedAt", "-Id"], ["CustomerId", "-PlacedAt"], ["-Total"],
        ["Total", "Id", "Level"], ["Channel", "Total"], ["-Channel", "-Total"], ["Channel", "-Total"], ["-Seq"], ["CustomerId", "Seq"],
        ["-Id"], ["Note", "Id"], ["Note"], ["CustomerId"], ["-CustomerId", "Id"],
    ];

    private readonly Database _db = Database.OpenInMemory();
    private readonly PurchaseCollection _purchases;

    public QueryPlannerRandomTests() => _purchases = new PurchaseCollection(_db);

    public void Dispose() => _db.Dispose();

    [Fact]
    public void Random_queries_match_linq_exactly_in_snapshots_and_write_transactions()
    {
        var random = new Random(6907);
        var model = new Dictionary<long, Purchase>();
        for (var id = 1; id <= 240; id++)
        {
            model[id] = RandomPurchase(random, id);
        }

        _purchases.InsertMany(model.Values);
        for (var round = 0; round < 8; round++)
        {
            CheckQueries(random, null, [.. model.Values], 120);
            var changed = new Dictionary<long, Purchase>(model);
            using (var tx = _db.BeginWrite())
            {
                for (var n = random.Next(1, 30); n > 0; n--)
                {
                    var id = random.Next(1, 300);
                    switch (random.Next(3))
                    {
                        case 0 when changed.Remove(id):
                            Assert.True(_purchases.Delete(id, tx));
                            break;
                        case 1 when changed.ContainsKey(id):
                            changed[id] = RandomPurchase(random, id);
                            _purchases.Update(changed[id], tx);
                            break;
                        default:
                            if (!changed.ContainsKey(id))
                            {
                                changed[id] = RandomPurchase(random, id);
                                _purchases.Insert(changed[id], tx);
                            }

                            break;
                    }
                }

                CheckQueries(random, tx, [.. changed.Values], 60);
                if (random.Next(2) == 0)
                {
                    tx.Commit();
                    model = changed;
                }
            }
        }

        TestDatabases.AssertConsistent(_db);
    }

    [Fact]
    public void Ranges_with_an_ordering_by_their_member_are_read_from_the_index_in_that_order()
    {
        var random = new Random(11);
        var all = Enumerable.Range(1, 200).Select(id => RandomPurchase(random, id)).ToList();
        _purchases.InsertMany(all);
        for (var n = 0; n < 150; n++)
        {
            // A range (or equality) on Level or Total, or equality on CustomerId with a range on PlacedAt; ordered by
            // the ranged member in either direction, then perhaps by the key in either direction.
            var (condition, predicate, member) = random.Next(3) switch
            {
                0 => RangeOn(random, "Level", f => f.Level, p => p.Level, random.Next(8)),
                1 => RangeOn(random, "Total", f => f.Total, p => p.Total, random.Next(22)),
                _ => CustomerPlacedRange(random),
            };
            string[] ordering = random.Next(3) switch
            {
                0 => [Sign(random) + member],
                1 => [Sign(random) + member, Sign(random) + "Id"],
                _ => [Sign(random) + member, Sign(random) + "Id", "Note"],
            };
            var query = Order(_purchases.Query().Where(condition), ordering);
            var plan = query.Explain();
            Assert.True(plan.Contains("(from the access path)", StringComparison.Ordinal) && !plan.StartsWith("full scan", StringComparison.Ordinal), $"{condition} {string.Join(",", ordering)}: {plan}");
            Assert.Equal(Expected(all.Where(predicate), ordering).Select(p => p.Id), query.Select(p => p.Id));
        }
    }

    private void CheckQueries(Random random, Transaction? transaction, List<Purchase> all, int count)
    {
        for (var n = 0; n < count; n++)
        {
            var (condition, predicate) = RandomConjunction(random);
            var ordering = Orderings[random.Next(Orderings.Length)];
            var query = Order(_purchases.Query(transaction).Where(condition), ordering);
            var skip = random.Next(3) == 0 ? random.Next(6) : 0;
            var take = random.Next(3) == 0 ? random.Next(0, 12) : -1;
            query = skip > 0 ? query.Skip(skip) : query;
            query = take >= 0 ? query.Take(take) : query;
            var matching = Expected(all.Where(predicate), ordering);
            var wanted = matching.Skip(skip).Take(take < 0 ? int.MaxValue : take).Select(p => p.Id).ToList();
            var actual = query.Select(p => p.Id).ToList();
            var message = $"{condition} ordered by {string.Join(",", ordering)} skip {skip} take {take}: {query.Explain()}";
            if (ordering.Length > 0)
            {
                Assert.True(wanted.SequenceEqual(actual), $"{message}\nwanted {string.Join(",", wanted)}\nactual {string.Join(",", actual)}");
            }
            else if (skip == 0 && take < 0)
            {
                Assert.True(wanted.Order().SequenceEqual(actual.Order()), message);
            }
            else
            {
                // Without an ordering, which documents a page holds is not defined: only that they match, once each.
                Assert.True(wanted.Count == actual.Count && actual.Distinct().Count() == actual.Count && actual.All(id => matching.Any(p => p.Id == id)), message);
            }

            Assert.True(wanted.Count == query.Count(), message);
            Assert.True(matching.Count == _purchases.Query(transaction).Where(condition).Count(), message);
            Assert.True((wanted.Count > 0) == query.Any(), message);
        }
    }

    private static Query<Purchase, long, PurchaseFields> Order(Query<Purchase, long, PurchaseFields> query, string[] ordering)
    {
        for (var i = 0; i < ordering.Length; i++)
        {
            var descending = ordering[i].StartsWith('-');
            var field = Members[ordering[i].TrimStart('-')].Field;
            query = (i, descending) switch
            {
                (0, false) => query.OrderBy(field),
                (0, true) => query.OrderByDescending(field),
                (_, false) => query.ThenBy(field),
                _ => query.ThenByDescending(field),
            };
        }

        return query;
    }

    /// <summary>LINQ's answer: the ordering, then ties by primary key.</summary>
    private static List<Purchase> Expected(IEnumerable<Purchase> documents, string[] ordering)
    {
        var list = documents.ToList();
        list.Sort((a, b) =>
        {
            foreach (var part in ordering)
            {
                var cmp = Members[part.TrimStart('-')].Compare(a, b);
                if (cmp != 0)
                {
                    return part.StartsWith('-') ? -cmp : cmp;
                }
            }

            return a.Id.CompareTo(b.Id);
        });
        return list;
    }

    private static (Condition<Purchase>, Func<Purchase, bool>) RandomConjunction(Random random)
    {
        var (condition, predicate) = RandomAtom(random);
        for (var n = random.Next(4); n > 0; n--)
        {
            var (next, matches) = random.Next(8) switch
            {
                0 => Or(random),
                1 => Not(random),
                _ => RandomAtom(random),
            };
            var before = predicate;
            (condition, predicate) = (condition & next, p => before(p) && matches(p));
        }

        return (condition, predicate);
    }

    private static (Condition<Purchase>, Func<Purchase, bool>) Or(Random random)
    {
        var (a, pa) = RandomAtom(random);
        var (b, pb) = RandomAtom(random);
        return (a | b, p => pa(p) || pb(p));
    }

    private static (Condition<Purchase>, Func<Purchase, bool>) Not(Random random)
    {
        var (a, pa) = RandomAtom(random);
        return (!a, p => !pa(p));
    }

    private static (Condition<Purchase>, Func<Purchase, bool>) RandomAtom(Random random)
    {
        var f = PurchaseCollection.Fields;
        var customer = random.Next(-1, 7);
        var (at, at2) = (Instants[random.Next(Instants.Length)], Instants[random.Next(Instants.Length)]);
        var channel = Channels[random.Next(Channels.Length)];
        var prefix = channel ?? "a";
        var (seq, id) = (random.Next(0, 300), random.Next(0, 1200));
        return random.Next(19) switch
        {
            0 => (f.CustomerId.Is(customer), p => p.CustomerId == customer),
            1 => (f.CustomerId.In(customer, 2), p => p.CustomerId == customer || p.CustomerId == 2),
            2 => (f.CustomerId.AtLeast(customer), p => p.CustomerId >= customer),
            3 => (f.PlacedAt.Is(at), p => p.PlacedAt == at),
            4 => (f.PlacedAt.AtLeast(at), p => p.PlacedAt >= at),
            5 => (f.PlacedAt.LessThan(at), p => p.PlacedAt < at),
            6 => (f.PlacedAt.Between(at, at2), p => p.PlacedAt >= at && p.PlacedAt <= at2),
            7 => (f.PlacedAt.In(at, at2), p => p.PlacedAt == at || p.PlacedAt == at2),
            8 => Atom(RangeOn(random, "Level", f => f.Level, p => p.Level, random.Next(-1, 9))),
            9 => Atom(RangeOn(random, "Total", f => f.Total, p => p.Total, random.Next(-1, 22))),
            10 => (f.Channel.Is(channel), p => p.Channel == channel),
            11 => (f.Channel.StartsWith(prefix), p => p.Channel is { } c && c.StartsWith(prefix, StringComparison.Ordinal)),
            12 => (f.Channel.LessThan(channel), p => p.Channel is { } c && channel is not null && string.CompareOrdinal(c, channel) < 0),
            13 => (f.Seq.AtMost(seq), p => p.Seq <= seq),
            14 => (f.Seq.Is(seq), p => p.Seq == seq),
            15 => (f.Id.AtLeast(id), p => p.Id >= id),
            16 => (f.Id.In(id, 7), p => p.Id == id || p.Id == 7),
            17 => (f.Note.Is("n1"), p => p.Note == "n1"),
            _ => (f.Level.IsNot(3), p => p.Level != 3),
        };
    }

    private static (Condition<Purchase>, Func<Purchase, bool>) Atom((Condition<Purchase> Condition, Func<Purchase, bool> Predicate, string Member) range) =>
        (range.Condition, range.Predicate);

    private static (Condition<Purchase> Condition, Func<Purchase, bool> Predicate, string Member) RangeOn(
        Random random, string member, Func<PurchaseFields, Field<Purchase, int>> pick, Func<Purchase, int> get, int value)
    {
        var field = pick(PurchaseCollection.Fields);
        var other = value + random.Next(0, 6);
        return random.Next(7) switch
        {
            0 => (field.AtLeast(value), p => get(p) >= value, member),
            1 => (field.GreaterThan(value), p => get(p) > value, member),
            2 => (field.LessThan(value), p => get(p) < value, member),
            3 => (field.AtMost(value), p => get(p) <= value, member),
            4 => (field.Between(value, other), p => get(p) >= value && get(p) <= other, member),
            5 => (field.AtLeast(value) & field.LessThan(other), p => get(p) >= value && get(p) < other, member),
            _ => (field.In(value, other), p => get(p) == value || get(p) == other, member),
        };
    }

    private static (Condition<Purchase> Condition, Func<Purchase, bool> Predicate, string Member) CustomerPlacedRange(Random random)
    {
        var f = PurchaseCollection.Fields;
        var customer = random.Next(0, 6);
        var (at, at2) = (Instants[random.Next(Instants.Length)], Instants[random.Next(Instants.Length)]);
        var (range, matches) = random.Next(4) switch
        {
            0 => (f.PlacedAt.AtLeast(at) & f.PlacedAt.LessThan(at2), (Func<Purchase, bool>)(p => p.PlacedAt >= at && p.PlacedAt < at2)),
            1 => (f.PlacedAt.Between(at, at2), p => p.PlacedAt >= at && p.PlacedAt <= at2),
            2 => (f.PlacedAt.GreaterThan(at), p => p.PlacedAt > at),
            _ => (f.PlacedAt.AtMost(at), p => p.PlacedAt <= at),
        };
        return random.Next(2) == 0
            ? (f.CustomerId.Is(customer) & range, p => p.CustomerId == customer && matches(p), "PlacedAt")
            : (range & f.CustomerId.Is(customer), p => p.CustomerId == customer && matches(p), "PlacedAt");
    }

    private static string Sign(Random random) => random.Next(2) == 0 ? "" : "-";

    private static Purchase RandomPurchase(Random random, long id) => new()
        {
            Id = id,
            CustomerId = random.Next(0, 6),
            Seq = (int)id, // unique, so (CustomerId, Seq) is
            PlacedAt = Instants[random.Next(Instants.Length)],
            Total = random.Next(0, 21),
            Level = random.Next(0, 8),
            Channel = Channels[random.Next(Channels.Length)],
            Note = $"n{random.Next(4)}",
        };
}
