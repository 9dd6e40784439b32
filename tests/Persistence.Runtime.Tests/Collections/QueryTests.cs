using Persistence.Query;

namespace Persistence.Tests.Collections;

/// <summary>Queries give exactly what LINQ over the same documents gives, whatever plan runs; the planner picks indexes.</summary>
public sealed class QueryTests : IDisposable
{
    private readonly Database _db = Database.OpenInMemory();
    private readonly UserCollection _users;
    private readonly List<User> _all;

    public QueryTests()
    {
        _users = new UserCollection(_db);
        var random = new Random(42);
        var names = new[] { "Ada", "Alan", "Grace", "Gordon", "Linus", "Barbara", "Ken", "" };
        _all = Enumerable.Range(1, 400).Select(i => new User
        {
            Id = i,
            Email = $"user{(i * 7919) % 1000:D4}@example.com",
            Age = random.Next(18, 90),
            Name = names[random.Next(names.Length)],
        }).ToList();
        _users.InsertMany(_all);
    }

    public void Dispose() => _db.Dispose();

    [Fact]
    public void Equality_on_a_unique_index_is_a_point_lookup()
    {
        var query = _users.Query().Where(u => u.Email.Is("user0123@example.com"));
        Assert.Contains("index 'Email'", query.Explain(), StringComparison.Ordinal);
        Assert.Equal(_all.Where(u => u.Email == "user0123@example.com").Select(u => u.Id), query.Select(u => u.Id));
    }

    /// <summary>
    /// Index scans load each document by the primary key read in place from the entry: every entry's document comes
    /// out in index order, through the index accessor and through a query, inside a write transaction as well as a
    /// snapshot, and an entry whose document is gone is reported as corruption by both, never skipped.
    /// </summary>
    [Fact]
    public void Index_scans_load_each_entry_and_report_an_entry_without_its_document_as_corruption()
    {
        var age = _all.GroupBy(u => u.Age).First(g => g.Count() >= 3).Key;
        var expected = _all.Where(u => u.Age == age).OrderBy(u => u.Id).Select(u => u.Id).ToList();
        Assert.Equal(expected, _users.ByAge.Find(age).Select(u => u.Id));
        Assert.Equal(expected, _users.Query().Where(u => u.Age.Is(age)).Select(u => u.Id));
        using (var tx = _db.BeginWrite())
        {
            Assert.Equal(expected, _users.ByAge.Find(age, tx).Select(u => u.Id));
            Assert.Equal(expected, _users.Query(tx).Where(u => u.Age.Is(age)).Select(u => u.Id));
        }

        // Remove the middle document's record behind the collection's back: its Age entry now refers to nothing.
        var victim = expected[expected.Count / 2];
        _db.Write(tx => tx.Delete(_users.Documents, _users.EncodeKey(victim)));
        Assert.Equal(ErrorCode.Corruption, Assert.Throws<CorruptionException>(() => _users.ByAge.Find(age).ToList()).Code);
        Assert.Equal(ErrorCode.Corruption, Assert.Throws<CorruptionException>(() => _users.Query().Where(u => u.Age.Is(age)).ToList()).Code);
    }

    [Fact]
    public void Skip_and_Take_compose_as_LINQ_does()
    {
        var ordered = _all.OrderBy(u => u.Age).ThenBy(u => u.Id).Select(u => u.Id).ToList();
        var query = _users.Query().OrderBy(u => u.Age).ThenBy(u => u.Id);
        var cases = new (Func<Query<User, long, UserFields>, Query<User, long, UserFields>> Ours, Func<IEnumerable<long>, IEnumerable<long>> Linq)[]
        {
            (q => q.Take(10).Take(20), l => l.Take(10).Take(20)),
            (q => q.Take(20).Take(10), l => l.Take(20).Take(10)),
            (q => q.Skip(2).Skip(3), l => l.Skip(2).Skip(3)),
            (q => q.Take(5).Skip(2), l => l.Take(5).Skip(2)),
            (q => q.Take(3).Skip(5), l => l.Take(3).Skip(5)),
            (q => q.Skip(2).Take(5).Skip(1).Take(10), l => l.Skip(2).Take(5).Skip(1).Take(10)),
            (q => q.Skip(int.MaxValue).Skip(5), l => l.Skip(int.MaxValue).Skip(5)),
        };
        foreach (var (ours, linq) in cases)
        {
            var page = ours(query);
            Assert.Equal(linq(ordered), page.Select(u => u.Id));
            Assert.Equal(linq(ordered).Count(), page.Count());
            Assert.Equal(linq(ordered).Any(), page.Any());
        }

        Assert.False(query.Take(0).Any());
        Assert.Null(query.Take(3).Skip(3).FirstOrDefault());
    }

    /// <summary>
    /// In a write transaction, scans yield what was there when the enumeration began: a loop that moves each document
    /// ahead of the scan (a higher Age in the Age index, a new higher Id in key order) meets each original once.
    /// </summary>
    [Fact]
    public void Scans_in_a_write_transaction_visit_each_document_once_while_the_loop_changes_them()
    {
        var adults = _all.Where(u => u.Age >= 30).Select(u => u.Id).Order().ToList();
        using (var tx = _db.BeginWrite())
        {
            var visited = new List<long>();
            foreach (var user in _users.ByAge.Range(30, 1_000, transaction: tx))
            {
                visited.Add(user.Id);
                user.Age += 100;
                _users.Update(user, tx);
                Assert.True(visited.Count <= adults.Count, "the index scan met updated documents again");
            }

            Assert.Equal(adults, visited.Order());
            var inserted = 0;
            foreach (var user in _users.All(tx))
            {
                _users.Insert(new User { Id = 10_000 + user.Id, Email = $"copy{user.Id}@example.com", Age = user.Age }, tx);
                Assert.True(++inserted <= _all.Count, "the key-order scan met documents the loop inserted");
            }

            Assert.Equal(_all.Count, inserted);
            Assert.Equal(adults.Count, _users.Query(tx).Where(u => u.Age.AtLeast(130)).Count() / 2); // originals and copies
        }
    }

    /// <summary>
    /// In a write transaction a scan is a keyset: which documents, and in which order, is fixed when it starts, and each
    /// is read as the transaction holds it when handed out. A document the loop changed ahead of the scan comes out
    /// changed, and one it deleted does not come out (before, the scan held every document as it was at the start, so
    /// the loop met stale copies of what it had changed, and held them all in memory).
    /// </summary>
    [Fact]
    public void A_write_transactions_scan_hands_out_each_document_as_the_transaction_holds_it_then()
    {
        using var tx = _db.BeginWrite();
        var seen = new List<User>();
        foreach (var user in _users.All(tx))
        {
            seen.Add(user);
            if (user.Id == 1)
            {
                _users.Delete(3, tx);
                var second = _users.Get(2, tx)!;
                second.Name = "changed ahead";
                _users.Update(second, tx);
            }
        }

        Assert.Equal(_all.Select(u => u.Id).Where(id => id != 3), seen.Select(u => u.Id));
        Assert.Equal("changed ahead", seen[1].Name);

        var young = _all.Where(u => u.Age < 30 && u.Id != 3).OrderBy(u => u.Age).ThenBy(u => u.Id).Select(u => u.Id).ToList();
        var visited = new List<long>();
        foreach (var user in _users.Query(tx).Where(u => u.Age.LessThan(30)).OrderBy(u => u.Age))
        {
            visited.Add(user.Id);
            if (visited.Count == 1)
            {
                _users.Delete(young[^1], tx); // the last one the query found
            }
        }

        Assert.Equal(young.Take(young.Count - 1), visited);
    }

    [Fact]
    public void A_filter_or_an_ordering_after_Skip_or_Take_is_refused()
    {
        var paged = _users.Query().OrderBy(u => u.Age).Take(10);
        Assert.Equal(ErrorCode.InvalidQuery, Assert.Throws<QueryException>(() => paged.Where(u => u.Age.AtLeast(30))).Code);
        Assert.Throws<QueryException>(() => paged.OrderBy(u => u.Name));
        Assert.Throws<QueryException>(() => paged.OrderByDescending(u => u.Name));
        Assert.Throws<QueryException>(() => paged.ThenBy(u => u.Name));
        Assert.Throws<QueryException>(() => _users.Query().Skip(1).Where(u => u.Age.AtLeast(30)));
        Assert.Equal(10, _users.Query().Where(u => u.Age.AtLeast(30)).OrderBy(u => u.Age).Take(10).Count()); // in order, it builds
    }

    [Fact]
    public void Range_on_an_indexed_member_uses_the_index_and_its_order()
    {
        var query = _users.Query().Where(u => u.Age.Is(30)).OrderBy(u => u.Age).Take(5);
        var plan = query.Explain();
        Assert.Contains("index 'Age'", plan, StringComparison.Ordinal);
        Assert.Contains("from the access path", plan, StringComparison.Ordinal);
        Assert.Equal(_all.Where(u => u.Age == 30).OrderBy(u => u.Id).Take(5).Select(u => u.Id), query.Select(u => u.Id));
    }

    [Fact]
    public void A_condition_no_index_can_serve_runs_as_a_full_scan()
    {
        var query = _users.Query().Where(u => u.Name.StartsWith("G"));
        Assert.StartsWith("full scan", query.Explain(), StringComparison.Ordinal);
        Assert.Equal(_all.Where(u => u.Name.StartsWith('G')).Select(u => u.Id), query.Select(u => u.Id));
    }

    [Fact]
    public void Counting_an_indexed_condition_reads_only_index_entries()
    {
        Assert.Equal(_all.Count(u => u.Age >= 40 && u.Age <= 50), _users.Query().Where(u => u.Age.Between(40, 50)).Count());
        Assert.Equal(_all.Count, _users.Query().Count());
        Assert.True(_users.Query().Where(u => u.Id.Is(7)).Any());
        Assert.False(_users.Query().Where(u => u.Id.Is(7000)).Any());
        Assert.Equal(7, _users.Query().Where(u => u.Id.Is(7)).First().Id);
        Assert.Equal(ErrorCode.DocumentNotFound, Assert.Throws<DocumentException>(() => _users.Query().Where(u => u.Id.Is(7000)).First()).Code);
    }

    [Fact]
    public void Set_based_delete_removes_documents_and_index_entries()
    {
        var deleted = _users.Query().Where(u => u.Age.LessThan(30)).Delete();
        Assert.Equal(_all.Count(u => u.Age < 30), deleted);
        Assert.Equal(0, _users.Query().Where(u => u.Age.LessThan(30)).Count());
        Assert.Empty(_users.ByAge.Range(18, 30));
        Assert.Equal(_all.Count - deleted, _users.Count());
        TestDatabases.AssertConsistent(_db);
    }

    [Fact]
    public void Random_queries_match_linq()
    {
        var random = new Random(7);
        var fields = UserCollection.Fields;
        for (var n = 0; n < 500; n++)
        {
            var (condition, predicate) = RandomCondition(random, fields, depth: 0);
            var query = _users.Query().Where(condition);
            IEnumerable<User> expected = _all.Where(predicate);
            var ordered = true;
            switch (random.Next(6))
            {
                case 3:
                    query = query.OrderBy(u => u.Age).ThenByDescending(u => u.Id);
                    expected = expected.OrderBy(u => u.Age).ThenByDescending(u => u.Id);
                    break;
                case 4:
                    query = query.OrderByDescending(u => u.Age);
                    expected = expected.OrderByDescending(u => u.Age).ThenBy(u => u.Id);
                    break;
                case 0:
                    query = query.OrderBy(u => u.Age);
                    expected = expected.OrderBy(u => u.Age).ThenBy(u => u.Id);
                    break;
                case 1:
                    query = query.OrderByDescending(u => u.Age).ThenBy(u => u.Id);
                    expected = expected.OrderByDescending(u => u.Age).ThenBy(u => u.Id);
                    break;
                case 2:
                    query = query.OrderByDescending(u => u.Id);
                    expected = expected.OrderByDescending(u => u.Id);
                    break;
                default:
                    ordered = false; // no OrderBy: results come in the access path's order
                    expected = expected.OrderBy(u => u.Id);
                    break;
            }

            var skip = random.Next(3) == 0 ? random.Next(5) : 0;
            var take = random.Next(3) == 0 ? random.Next(1, 20) : -1;
            query = skip > 0 ? query.Skip(skip) : query;
            query = take >= 0 ? query.Take(take) : query;
            expected = expected.Skip(skip);
            expected = take >= 0 ? expected.Take(take) : expected;
            var actual = query.Select(u => u.Id).ToList();
            var wanted = expected.Select(u => u.Id).ToList();
            if (!ordered)
            {
                // Which rows Skip and Take select is defined only by an ordering: check the count and that all match.
                Assert.Equal(wanted.Count, actual.Count);
                Assert.All(actual, id => Assert.True(predicate(_all[(int)id - 1]), $"{condition}: {id}"));
                Assert.Equal(actual.Count, actual.Distinct().Count());
            }
            else
            {
                // Ties come in primary-key order whatever the plan: sorted in memory or from the access path.

                Assert.True(wanted.SequenceEqual(actual), $"{condition}: {query.Explain()}");
            }

            Assert.Equal(_all.Count(predicate), _users.Query().Where(condition).Count());
        }
    }

    private static (Condition<User>, Func<User, bool>) RandomCondition(Random random, UserFields f, int depth)
    {
        var age = random.Next(17, 92);
        var other = random.Next(17, 92);
        var id = random.Next(0, 420);
        var email = $"user{random.Next(1000):D4}@example.com";
        var prefix = new[] { "A", "G", "Gr", "", "Z", "L" }[random.Next(6)];
        var roll = depth < 2 ? random.Next(14) : random.Next(10);
        return roll switch
        {
            0 => (f.Age.Is(age), u => u.Age == age),
            1 => (f.Age.LessThan(age), u => u.Age < age),
            2 => (f.Age.AtMost(age), u => u.Age <= age),
            3 => (f.Age.GreaterThan(age), u => u.Age > age),
            4 => (f.Age.AtLeast(age), u => u.Age >= age),
            5 => (f.Age.Between(Math.Min(age, other), Math.Max(age, other)), u => u.Age >= Math.Min(age, other) && u.Age <= Math.Max(age, other)),
            6 => (f.Age.In(age, other, 40), u => u.Age == age || u.Age == other || u.Age == 40),
            7 => (f.Id.LessThan(id), u => u.Id < id),
            8 => (f.Email.Is(email), u => u.Email == email),
            9 => (f.Name.StartsWith(prefix), u => u.Name.StartsWith(prefix, StringComparison.Ordinal)),
            10 => Combine(random, f, depth, and: true),
            11 => Combine(random, f, depth, and: false),
            12 => Negate(random, f, depth),
            _ => (f.Age.IsNot(age), u => u.Age != age),
        };
    }

    private static (Condition<User>, Func<User, bool>) Combine(Random random, UserFields f, int depth, bool and)
    {
        var (a, pa) = RandomCondition(random, f, depth + 1);
        var (b, pb) = RandomCondition(random, f, depth + 1);
        return and ? (a & b, u => pa(u) && pb(u)) : (a | b, u => pa(u) || pb(u));
    }

    private static (Condition<User>, Func<User, bool>) Negate(Random random, UserFields f, int depth)
    {
        var (a, pa) = RandomCondition(random, f, depth + 1);
        return (!a, u => !pa(u));
    }
}
