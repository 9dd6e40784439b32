using Persistence.Collections;
using Persistence.Testing;

namespace Persistence.Tests.Collections;

/// <summary>
/// A differential test of the hot cache: one random sequence of operations runs against "users" with a small hot cache
/// and against "users" without one, each database on its own fake clock moved in step, and every read must return the
/// same thing in both. The reads go through every path that consults the cache (Get, TryGet, Contains, the unique
/// accessor, an index scan, a query, a count) in the latest snapshot, in older snapshots held open across writes and in
/// a write transaction's overlay; the writes are inserts, updates of an instance read back and changed (the cached
/// instance itself, with the cache), upserts, deletes, InsertMany, a query's Delete, RepairIndexes, write transactions
/// committed or rolled back, and the expiry collector; the clock passes documents' expiries, sliding lifetimes and the
/// cache's own time to live. The cache holds a few documents, so that eviction, the doorkeeper and markers all play.
/// Instances handed out are checked never to change unless the test changed them itself.
/// </summary>
public sealed class HotCacheDifferentialTests
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private const int Keys = 24;

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(4, true)]
    public void Every_read_through_the_hot_cache_matches_the_same_read_without_it(int seed, bool sliding)
    {
        using var cached = new Side(cache: true, sliding);
        using var plain = new Side(cache: false, sliding);
        var random = new Random(seed);
        var handedOut = new List<(User Instance, string Seen)>();
        var mutated = new HashSet<User>(ReferenceEqualityComparer.Instance);

        for (var step = 0; step < 1500; step++)
        {
            var op = random.Next(20);
            var id = random.Next(Keys);
            var doc = RandomUser(random, id, cached.Time.GetUtcNow(), sliding);
            var pick = random.Next(1000);
            var tag = $"step {step} op {op} id {id}";
            switch (op)
            {
                case 0 or 1:
                    Same(tag, cached, plain, s => Try(() => s.Users.Upsert(Copy(doc), s.Write)));
                    break;
                case 2:
                    Same(tag, cached, plain, s => Try(() => s.Users.Insert(Copy(doc), s.Write)));
                    break;
                case 3:
                    // Read, change and write back: with the cache, the instance may be the one every reader shares.
                    Same(tag, cached, plain, s =>
                    {
                        var read = s.Users.Get(id, s.Write);
                        if (read is null)
                        {
                            return "none";
                        }

                        mutated.Add(read);
                        read.Name = doc.Name;
                        read.Age = doc.Age;
                        read.Tags.Add("t" + pick);
                        return Try(() => s.Users.Update(read, s.Write));
                    });
                    break;
                case 4:
                    Same(tag, cached, plain, s => Try(() => s.Users.Delete(id, s.Write)));
                    break;
                case 5:
                    var many = Enumerable.Range(0, 1 + pick % 4).Select(i => RandomUser(random, (id + i * 7) % Keys, cached.Time.GetUtcNow(), sliding)).ToList();
                    Same(tag, cached, plain, s => Try(() => s.Users.InsertMany(many.Select(Copy).ToList(), s.Write)));
                    break;
                case 6:
                    var (low, high) = (pick % 60, pick % 60 + 15);
                    Same(tag, cached, plain, s => Try(() => s.Users.Query(s.Write).Where(f => f.Age.Between(low, high)).Delete(s.Write)));
                    break;
                case 7 when pick < 60:
                    // Past MinBulkChunk: after the transaction leaves its overlay, the rest goes in bulk runs.
                    var filler = 1000 + step * 300;
                    Same(tag, cached, plain, s =>
                    {
                        var absent = Enumerable.Range(0, Keys).Where(i => s.Users.Get(i, s.Write) is null);
                        var bulk = absent.Select(i => RandomUser(new Random(i + step), i, s.Time.GetUtcNow(), sliding))
                            .Concat(Enumerable.Range(filler, 300).Select(i => new User { Id = i, Email = $"f{i}@x", Age = i % 60 }))
                            .Select(u => u.Email.StartsWith('f') ? u : new User { Id = u.Id, Email = $"u{u.Id}@x", Age = u.Age, Name = u.Name, Tags = u.Tags, ExpiresAt = u.ExpiresAt })
                            .OrderBy(u => u.Id % 7)
                            .ToList();
                        return Try(() => s.Users.InsertMany(bulk, s.Write));
                    });
                    break;
                case 7 when pick < 100:
                    Same(tag, cached, plain, s => Try(() => s.Users.RepairIndexes(s.Write)));
                    break;
                case 7 when pick < 200:
                    Same(tag, cached, plain, s => Try(() => s.Db.CollectExpiredAsync().GetAwaiter().GetResult()));
                    break;
                case 8:
                    // A write transaction: opened, committed, or rolled back.
                    Same(tag, cached, plain, s => s.Write is null ? s.BeginWrite() : pick % 3 == 0 ? s.Rollback() : s.Commit());
                    break;
                case 9:
                    Same(tag, cached, plain, s => s.Snapshots.Count < 4 || pick % 2 == 0 ? s.Open() : s.Close(pick % s.Snapshots.Count));
                    break;
                case 10:
                    cached.Time.Advance(TimeSpan.FromMilliseconds(pick * 4));
                    plain.Time.Advance(TimeSpan.FromMilliseconds(pick * 4));
                    break;
                default:
                    Read(tag, cached, plain, random.Next(7), id, pick, handedOut);
                    break;
            }

            Assert.True(cached.Cache!.Count <= 6 && cached.Cache.Bytes <= 600, $"{tag}: the cache holds {cached.Cache.Count} entries, {cached.Cache.Bytes} bytes");
            if (step % 100 == 99)
            {
                foreach (var (instance, seen) in handedOut)
                {
                    Assert.True(mutated.Contains(instance) || Describe(instance) == seen, $"{tag}: an instance handed out changed: {seen} is now {Describe(instance)}");
                }

                handedOut.RemoveAll(h => mutated.Contains(h.Instance));
            }
        }

        cached.Finish();
        plain.Finish();
        Assert.True(cached.Db.GetStatistics().HotCacheHits > 50, $"the cached side hit its cache {cached.Db.GetStatistics().HotCacheHits} times");
        Assert.True(cached.Users.BulkInserted > 0, "no InsertMany went in bulk");
        TestDatabases.AssertConsistent(cached.Db);
    }

    /// <summary>A read in the write transaction, the latest snapshot or a held one, by one of the paths that use the cache.</summary>
    private static void Read(string tag, Side cached, Side plain, int path, long id, int pick, List<(User, string)> handedOut)
    {
        var where = pick % 4; // 0: the write transaction (if any), 1: the latest snapshot, 2-3: a held snapshot (if any)
        Same($"{tag} read {path} in {where}", cached, plain, s =>
        {
            Transaction? tx = where switch
            {
                0 => s.Write,
                >= 2 when s.Snapshots.Count > 0 => s.Snapshots[pick % s.Snapshots.Count],
                _ => null,
            };
            IReadOnlyList<User?>? seen = path switch
            {
                0 => new[] { s.Users.Get(id, tx) },
                1 => new[] { s.Users.TryGet(id, out var found, tx) ? found : null },
                2 => new[] { s.Users.ByEmail.Get($"u{id}@x", tx) },
                3 => s.Users.ByAge.Find((int)(id * 3 % 60), tx).ToList(),
                4 => s.Users.Query(tx).Where(f => f.Age.Between((int)id, (int)id + 20)).ToList(),
                5 => s.Users.ByAge.Range(0, 100, descending: pick % 2 == 0, tx).ToList(),
                _ => null,
            };
            if (seen is null)
            {
                return $"contains {s.Users.Contains(id, tx)} count {s.Users.Count(tx)}";
            }

            if (s.HasCache)
            {
                handedOut.AddRange(seen.OfType<User>().Select(u => (u, Describe(u))));
            }

            return string.Join("; ", seen.Select(u => u is null ? "null" : Describe(u)));
        });
    }

    private static void Same(string tag, Side cached, Side plain, Func<Side, string> operation)
    {
        var expected = operation(plain);
        var actual = operation(cached);
        Assert.True(expected == actual, $"{tag}: without the cache '{expected}', with it '{actual}'");
    }

    private static string Try(Action write)
    {
        try
        {
            write();
            return "ok";
        }
        catch (PersistenceException ex)
        {
            return ex.GetType().Name;
        }
    }

    private static string Try<T>(Func<T> write)
    {
        try
        {
            return $"{write()}";
        }
        catch (PersistenceException ex)
        {
            return ex.GetType().Name;
        }
    }

    private static User RandomUser(Random random, long id, DateTimeOffset now, bool sliding) => new()
    {
        Id = id,
        Email = random.Next(5) == 0 ? $"u{random.Next(Keys)}@x" : $"u{id}@x", // sometimes another's: a unique conflict
        Age = random.Next(60),
        Name = $"n{random.Next(1000)}",
        Tags = [$"t{random.Next(10)}"],
        ExpiresAt = sliding || random.Next(3) > 0 ? null : now + TimeSpan.FromMilliseconds(random.Next(1, 4000)),
    };

    private static User Copy(User user) => new()
    {
        Id = user.Id,
        Email = user.Email,
        Age = user.Age,
        Name = user.Name,
        Tags = [.. user.Tags],
        ExpiresAt = user.ExpiresAt,
    };

    private static string Describe(User user) =>
        $"{user.Id}:{user.Email}:{user.Age}:{user.Name}:[{string.Join(",", user.Tags)}]:{user.ExpiresAt?.ToUnixTimeMilliseconds()}";

    /// <summary>One database of the pair, with the transactions the sequence holds open in it.</summary>
    private sealed class Side : IDisposable
    {
        public Side(bool cache, bool sliding)
        {
            HasCache = cache;
            var options = TestDatabases.Small(Time);
            options.Ttl.RunCollectorInBackground = false;
            options.Collections["users"] = new CollectionOptions
            {
                HotCacheMaxCount = cache ? 6 : 0,
                HotCacheMaxBytes = cache ? 600 : 0,
                HotCacheTimeToLive = cache ? TimeSpan.FromSeconds(2) : null,
                DefaultTimeToLive = sliding ? TimeSpan.FromSeconds(3) : null,
                SlidingExpiration = sliding,
            };
            Db = Database.OpenInMemory(options);
            Users = new UserCollection(Db);
            Cache = cache ? Db.HotCache<User>(Users.Documents, options.Collections["users"]) : null; // the one the collection uses
        }

        public DocumentCache<User>? Cache { get; }

        public FakeTimeProvider Time { get; } = new(Start);

        public bool HasCache { get; }

        public Database Db { get; }

        public UserCollection Users { get; }

        public WriteTransaction? Write { get; private set; }

        public List<ReadTransaction> Snapshots { get; } = [];

        public string BeginWrite()
        {
            Write = Db.BeginWrite();
            return "begun";
        }

        public string Commit()
        {
            var result = Try(Write!.Commit);
            Write.Dispose();
            Write = null;
            return result;
        }

        public string Rollback()
        {
            Write!.Dispose();
            Write = null;
            return "rolled back";
        }

        public string Open()
        {
            Snapshots.Add(Db.BeginRead());
            return "opened";
        }

        public string Close(int index)
        {
            Snapshots[index].Dispose();
            Snapshots.RemoveAt(index);
            return "closed";
        }

        public void Finish()
        {
            if (Write is not null)
            {
                Rollback();
            }

            while (Snapshots.Count > 0)
            {
                Close(0);
            }
        }

        public void Dispose()
        {
            Finish();
            Db.Dispose();
        }
    }
}
