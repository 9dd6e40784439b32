using Persistence.Query;

namespace Persistence.Tests.Collections;

/// <summary>Query results equal LINQ over the same documents whatever plan the planner picks (review findings).</summary>
public sealed class QueryReviewTests : IDisposable
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly Database _db = Database.OpenInMemory();
    private readonly GadgetCollection _gadgets;

    public QueryReviewTests() => _gadgets = new GadgetCollection(_db);

    public void Dispose() => _db.Dispose();

    [Fact]
    public void Ordering_by_a_member_with_a_unique_index_keeps_the_documents_whose_value_is_null()
    {
        var all = Enumerable.Range(1, 20).Select(i => new Gadget { Id = i, Code = i % 3 == 0 ? null : $"c{i:D2}", When = Epoch }).ToList();
        _gadgets.InsertMany(all);

        var expected = all.OrderBy(g => g.Code, StringComparer.Ordinal).ThenBy(g => g.Id).Select(g => g.Id).ToList();
        var query = _gadgets.Query().OrderBy(g => g.Code);
        Assert.Equal(all.Count, query.Count());
        Assert.Equal(expected.Order(), query.Select(g => g.Id).Order());
        Assert.Equal(all.Count(g => g.Label == ""), _gadgets.Query().Where(g => g.Label.Is("")).OrderByDescending(g => g.Code).ToList().Count);
    }

    [Fact]
    public void Comparisons_on_an_indexed_DateTimeOffset_match_equal_instants_whatever_their_offset()
    {
        // The same instant written in three zones: DateTimeOffset's comparer (which the filter uses) calls them equal.
        var plus2 = Epoch.ToOffset(TimeSpan.FromHours(2));
        var minus5 = Epoch.ToOffset(TimeSpan.FromHours(-5));
        _gadgets.InsertMany(
        [
            new Gadget { Id = 1, When = Epoch },
            new Gadget { Id = 2, When = plus2 },
            new Gadget { Id = 3, When = minus5 },
            new Gadget { Id = 4, When = Epoch.AddTicks(1) },
            new Gadget { Id = 5, When = Epoch.AddTicks(-1) },
        ]);

        var all = _gadgets.All().ToList();
        foreach (var probe in new[] { Epoch, plus2, minus5 })
        {
            Check(f => f.When.Is(probe), g => g.When == probe);
            Check(f => f.When.In(probe), g => g.When == probe);
            Check(f => f.When.AtMost(probe), g => g.When <= probe);
            Check(f => f.When.AtLeast(probe), g => g.When >= probe);
            Check(f => f.When.LessThan(probe), g => g.When < probe);
            Check(f => f.When.GreaterThan(probe), g => g.When > probe);
            Check(f => f.When.Between(probe, probe), g => g.When >= probe && g.When <= probe);
        }

        void Check(Func<GadgetFields, Condition<Gadget>> condition, Func<Gadget, bool> predicate)
        {
            var query = _gadgets.Query().Where(condition);
            var expected = all.Where(predicate).Select(g => g.Id).Order().ToList();
            Assert.Equal(expected, query.Select(g => g.Id).Order().ToList());
            Assert.Equal(expected.Count, query.Count());
        }
    }

    [Fact]
    public void First_and_Any_respect_an_earlier_Take_of_zero()
    {
        _gadgets.Insert(new Gadget { Id = 1, When = Epoch });
        var none = _gadgets.Query().Take(0);
        Assert.Empty(none.ToList());
        Assert.Equal(0, none.Count());
        Assert.Null(none.FirstOrDefault());
        Assert.False(none.Any());
        Assert.Equal(ErrorCode.DocumentNotFound, Assert.Throws<DocumentException>(() => none.First()).Code);
        Assert.Equal(1, _gadgets.Query().Take(5).FirstOrDefault()!.Id);
    }

    [Fact]
    public void Equality_with_null_on_a_member_written_as_non_nullable_finds_nothing_instead_of_throwing()
    {
        _gadgets.Insert(new Gadget { Id = 1, When = Epoch, Label = "x" });
        Assert.Empty(_gadgets.Query().Where(g => g.Label.Is(null)).ToList());
        Assert.Empty(_gadgets.Query().Where(g => g.Label.In("y", null)).ToList());
        Assert.Single(_gadgets.Query().Where(g => g.Label.In("x", null)).ToList());
        Assert.Single(_gadgets.Query().Where(g => g.Label.IsNot(null)).ToList());
    }

    [Fact]
    public void Descending_order_from_an_index_yields_ties_in_primary_key_order_as_a_sort_does()
    {
        var all = Enumerable.Range(1, 30).Select(i => new Gadget { Id = i, Rank = i % 4, When = Epoch }).ToList();
        _gadgets.InsertMany(all);
        var expected = all.OrderByDescending(g => g.Rank).ThenBy(g => g.Id).Select(g => g.Id).ToList();

        // The whole index, read backwards (the ordering comes from the access path) ...
        var scanned = _gadgets.Query().OrderByDescending(g => g.Rank);
        Assert.Contains("from the access path", scanned.Explain(), StringComparison.Ordinal);

        // ... and documents sorted in memory come in the same sequence, so Skip and Take give the same window. (A path that
        // yields more than a quarter of the documents is replaced by the ordered read: a fifth of them, with ties.)
        var sorted = _gadgets.Query().Where(g => g.Id.AtMost(6)).OrderByDescending(g => g.Rank);
        Assert.Contains("in memory", sorted.Explain(), StringComparison.Ordinal);
        Assert.Equal(expected.Where(id => id <= 6), sorted.Select(g => g.Id).ToList());
        Assert.Equal(expected, scanned.Select(g => g.Id).ToList());
        Assert.Equal(expected.Skip(5).Take(7), scanned.Skip(5).Take(7).Select(g => g.Id).ToList());
    }

    [Fact]
    public void ThenBy_after_the_first_member_of_a_composite_primary_key_is_applied()
    {
        var lines = new LineCollection(_db);
        var all = (from order in Enumerable.Range(1, 4) from no in Enumerable.Range(1, 5) select new Line { Order = order, No = no, Note = $"n{(order * no) % 3}" }).ToList();
        lines.InsertMany(all);

        Assert.Equal(
            all.OrderBy(l => l.Order).ThenByDescending(l => l.No).Select(l => (l.Order, l.No)),
            lines.Query().OrderBy(l => l.Order).ThenByDescending(l => l.No).Select(l => (l.Order, l.No)));
        Assert.Equal(
            all.OrderByDescending(l => l.Order).ThenBy(l => l.Note, StringComparer.Ordinal).ThenBy(l => l.No).Select(l => (l.Order, l.No)),
            lines.Query().OrderByDescending(l => l.Order).ThenBy(l => l.Note).Select(l => (l.Order, l.No)));
        Assert.Equal(
            all.Where(l => l.Order >= 2).OrderByDescending(l => l.Order).ThenBy(l => l.No).Select(l => (l.Order, l.No)),
            lines.Query().Where(l => l.Order.AtLeast(2)).OrderByDescending(l => l.Order).Select(l => (l.Order, l.No)));
    }

    [Fact]
    public void Random_queries_match_linq_in_snapshots_and_inside_write_transactions()
    {
        var random = new Random(20261123);
        var model = new Dictionary<long, Gadget>();
        var nextCode = 0;
        for (var i = 0; i < 300; i++)
        {
            var gadget = RandomGadget(random, random.Next(-50, 400), ref nextCode);
            if (model.TryAdd(gadget.Id, gadget))
            {
                _gadgets.Insert(gadget);
            }
        }

        for (var round = 0; round < 16; round++)
        {
            // Queries in a snapshot, then in a write transaction that changes documents before it queries them.
            CheckQueries(random, null, model.Values.ToList(), 30);
            var changed = model.ToDictionary(p => p.Key, p => Clone(p.Value));
            using (var tx = _db.BeginWrite())
            {
                for (var n = random.Next(1, 25); n > 0; n--)
                {
                    var id = random.Next(-50, 400);
                    switch (random.Next(3))
                    {
                        case 0 when changed.Remove(id):
                            Assert.True(_gadgets.Delete(id, tx));
                            break;
                        case 1 when changed.ContainsKey(id):
                            var update = RandomGadget(random, id, ref nextCode);
                            changed[id] = update;
                            _gadgets.Update(update, tx);
                            break;
                        default:
                            if (!changed.ContainsKey(id))
                            {
                                var insert = RandomGadget(random, id, ref nextCode);
                                changed[id] = insert;
                                _gadgets.Insert(insert, tx);
                            }

                            break;
                    }
                }

                CheckQueries(random, tx, changed.Values.ToList(), 20);
                if (random.Next(2) == 0)
                {
                    tx.Commit();
                    model = changed;
                }
            }
        }

        TestDatabases.AssertConsistent(_db);
    }

    private void CheckQueries(Random random, Transaction? transaction, List<Gadget> all, int count)
    {
        for (var n = 0; n < count; n++)
        {
            var (condition, predicate) = RandomCondition(random, GadgetCollection.Fields, 0);
            var query = _gadgets.Query(transaction).Where(condition);
            var expected = all.Where(predicate);
            var ordered = true;
            switch (random.Next(7))
            {
                case 5:
                    query = query.OrderBy(g => g.When);
                    expected = expected.OrderBy(g => g.When).ThenBy(g => g.Id);
                    break;
                case 0:
                    query = query.OrderBy(g => g.Rank);
                    expected = expected.OrderBy(g => g.Rank).ThenBy(g => g.Id);
                    break;
                case 1:
                    query = query.OrderByDescending(g => g.Rank);
                    expected = expected.OrderByDescending(g => g.Rank).ThenBy(g => g.Id);
                    break;
                case 2:
                    query = query.OrderBy(g => g.Code);
                    expected = expected.OrderBy(g => g.Code, StringComparer.Ordinal).ThenBy(g => g.Id);
                    break;
                case 3:
                    query = query.OrderByDescending(g => g.When).ThenBy(g => g.Label);
                    expected = expected.OrderByDescending(g => g.When).ThenBy(g => g.Label, StringComparer.Ordinal).ThenBy(g => g.Id);
                    break;
                case 4:
                    query = query.OrderByDescending(g => g.Id);
                    expected = expected.OrderByDescending(g => g.Id);
                    break;
                default:
                    ordered = false;
                    expected = expected.OrderBy(g => g.Id);
                    break;
            }

            var skip = random.Next(3) == 0 ? random.Next(6) : 0;
            var take = random.Next(3) == 0 ? random.Next(0, 15) : -1;
            query = skip > 0 ? query.Skip(skip) : query;
            query = take >= 0 ? query.Take(take) : query;
            expected = expected.Skip(skip);
            expected = take >= 0 ? expected.Take(take) : expected;
            var wanted = expected.Select(g => g.Id).ToList();
            var actual = query.Select(g => g.Id).ToList();
            var message = condition.ToString();
            if (ordered)
            {
                Assert.True(wanted.SequenceEqual(actual), $"{message}: {query.Explain()}\nwanted {string.Join(",", wanted)}\nactual {string.Join(",", actual)}");
            }
            else if (skip == 0 && take < 0)
            {
                Assert.True(wanted.Order().SequenceEqual(actual.Order()), message);
            }
            else
            {
                Assert.Equal(wanted.Count, actual.Count);
                Assert.Equal(actual.Count, actual.Distinct().Count());
                var byId = all.ToDictionary(g => g.Id);
                Assert.All(actual, id => Assert.True(predicate(byId[id]), message));
            }

            Assert.True(wanted.Count == query.Count(), message);
            Assert.True(all.Count(predicate) == _gadgets.Query(transaction).Where(condition).Count(), message);
            Assert.True((wanted.Count > 0) == query.Any(), message);
        }
    }

    private static readonly string?[] Codes = ["", "a", "ab", "abc", "ab\0", "ab\u0001", "b", "é", "éa", "\u00ff", "\u0800", "\uffff", "\ud83d\ude00", "\ud7ff", "z", null];

    private static readonly DateTimeOffset[] Instants =
    [
        DateTimeOffset.MinValue, Epoch, Epoch.ToOffset(TimeSpan.FromHours(3)), Epoch.ToOffset(TimeSpan.FromMinutes(-90)),
        Epoch.AddTicks(1), Epoch.AddTicks(-1), Epoch.AddDays(1).ToOffset(TimeSpan.FromHours(-8)), DateTimeOffset.MaxValue,
    ];

    private static readonly int?[] Ranks = [null, int.MinValue, -1000, -2, -1, 0, 1, 2, 127, 128, 255, 256, 1000, int.MaxValue];

    private static Gadget RandomGadget(Random random, long id, ref int nextCode)
    {
        // Codes are unique: a pool value once, then numbered variants with common prefixes.
        var code = random.Next(4) == 0 ? null : Codes[random.Next(Codes.Length)] is { } pick ? $"{pick}{nextCode++}" : null;
        return new Gadget
        {
            Id = id,
            Code = code,
            Rank = Ranks[random.Next(Ranks.Length)],
            When = Instants[random.Next(Instants.Length)],
            Label = Codes[random.Next(Codes.Length)] ?? "",
        };
    }

    private static Gadget Clone(Gadget g) => new() { Id = g.Id, Code = g.Code, Rank = g.Rank, When = g.When, Label = g.Label };

    private static (Condition<Gadget>, Func<Gadget, bool>) RandomCondition(Random random, GadgetFields f, int depth)
    {
        var rank = Ranks[random.Next(Ranks.Length)];
        var rank2 = Ranks[random.Next(Ranks.Length)];
        var when = Instants[random.Next(Instants.Length)];
        var when2 = Instants[random.Next(Instants.Length)];
        var code = Codes[random.Next(Codes.Length)];
        var code2 = Codes[random.Next(Codes.Length)];
        var prefix = code ?? "";
        var id = random.Next(-60, 410);
        var id2 = random.Next(-60, 410);
        var ranks = Comparer<int?>.Default;
        var roll = depth < 2 ? random.Next(24) : random.Next(20);
        return roll switch
        {
            0 => (f.Rank.Is(rank), g => g.Rank == rank),
            1 => (f.Rank.LessThan(rank), g => g.Rank < rank),
            2 => (f.Rank.AtMost(rank), g => g.Rank <= rank),
            3 => (f.Rank.GreaterThan(rank), g => g.Rank > rank),
            4 => (f.Rank.AtLeast(rank), g => g.Rank >= rank),
            5 => (f.Rank.Between(rank, rank2), g => g.Rank is { } r && rank is { } lo && rank2 is { } hi && r >= lo && r <= hi),
            6 => (f.Rank.In(rank, rank2), g => g.Rank == rank || g.Rank == rank2),
            7 => (f.Code.Is(code), g => g.Code == code),
            8 => (f.Code.StartsWith(prefix), g => g.Code is { } c && c.StartsWith(prefix, StringComparison.Ordinal)),
            9 => (f.Code.LessThan(code), g => g.Code is { } c && code is not null && string.CompareOrdinal(c, code) < 0),
            10 => (f.Code.AtLeast(code), g => g.Code is { } c && code is not null && string.CompareOrdinal(c, code) >= 0),
            11 => (f.Code.Between(code, code2), g => g.Code is { } c && code is not null && code2 is not null && string.CompareOrdinal(c, code) >= 0 && string.CompareOrdinal(c, code2) <= 0),
            12 => (f.When.Is(when), g => g.When == when),
            13 => (f.When.AtMost(when), g => g.When <= when),
            14 => (f.When.GreaterThan(when), g => g.When > when),
            15 => (f.When.Between(when, when2), g => g.When >= when && g.When <= when2),
            16 => (f.Id.Between(Math.Min(id, id2), Math.Max(id, id2)), g => g.Id >= Math.Min(id, id2) && g.Id <= Math.Max(id, id2)),
            17 => (f.Id.In(id, id2, 5), g => g.Id == id || g.Id == id2 || g.Id == 5),
            18 => (f.Label.StartsWith(prefix), g => g.Label.StartsWith(prefix, StringComparison.Ordinal)),
            19 => (f.Code.In(code, code2), g => g.Code == code || g.Code == code2),
            20 => Combine(random, f, depth, and: true),
            21 => Combine(random, f, depth, and: true),
            22 => Combine(random, f, depth, and: false),
            _ => Negate(random, f, depth),
        };
    }

    private static (Condition<Gadget>, Func<Gadget, bool>) Combine(Random random, GadgetFields f, int depth, bool and)
    {
        var (a, pa) = RandomCondition(random, f, depth + 1);
        var (b, pb) = RandomCondition(random, f, depth + 1);
        return and ? (a & b, g => pa(g) && pb(g)) : (a | b, g => pa(g) || pb(g));
    }

    private static (Condition<Gadget>, Func<Gadget, bool>) Negate(Random random, GadgetFields f, int depth)
    {
        var (a, pa) = RandomCondition(random, f, depth + 1);
        return (!a, g => !pa(g));
    }

    [Fact]
    public void Updating_each_result_while_a_query_in_the_same_write_transaction_streams_visits_every_document_once()
    {
        _gadgets.InsertMany(Enumerable.Range(1, 40).Select(i => new Gadget { Id = i, Rank = i % 10, When = Epoch }));
        using var tx = _db.BeginWrite();

        // Raising the indexed value moves each entry ahead of the index scan: it must not come back.
        var visits = new List<long>();
        foreach (var gadget in _gadgets.Query(tx).Where(g => g.Rank.AtLeast(5)))
        {
            if (visits.Count > 1000)
            {
                break;
            }

            visits.Add(gadget.Id);
            gadget.Rank += 3;
            _gadgets.Update(gadget, tx);
        }

        Assert.Equal(Enumerable.Range(1, 40).Where(i => i % 10 >= 5).Select(i => (long)i), visits.Order());

        // A document inserted ahead of a primary-key scan while it runs is not part of the results either.
        var seen = 0;
        foreach (var gadget in _gadgets.Query(tx).Where(g => g.Id.AtLeast(1)))
        {
            if (++seen > 1000)
            {
                break;
            }

            _gadgets.Insert(new Gadget { Id = gadget.Id + 1000, When = Epoch }, tx);
        }

        Assert.Equal(40, seen);
    }

    [Fact]
    public void Delete_through_a_query_on_a_read_transaction_is_refused_and_deletes_nothing()
    {
        _gadgets.InsertMany(Enumerable.Range(1, 3).Select(i => new Gadget { Id = i, Code = $"c{i}", When = Epoch }));
        using var read = _db.BeginRead();

        // Before, it ran in a transaction of its own and deleted what a later snapshot found.
        var ex = Assert.Throws<TransactionStateException>(() => _gadgets.Query(read).Delete());
        Assert.Equal(ErrorCode.ReadOnlyTransaction, ex.Code);
        Assert.Equal(3, _gadgets.Count());

        using var write = _db.BeginWrite();
        Assert.Equal(3, _gadgets.Query(read).Delete(write)); // a write transaction given explicitly does it
        write.Commit();
        Assert.Equal(0, _gadgets.Count());
    }
}
