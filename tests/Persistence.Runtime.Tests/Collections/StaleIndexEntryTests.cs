using Persistence.Collections;
using Persistence.Query;
using Persistence.Serialization;
using Persistence.Testing;

namespace Persistence.Tests.Collections;

/// <summary>
/// A stale index entry, one whose document exists but does not produce it (the document no longer has the indexed
/// value, as when an entry survived an update), is corruption: every read that goes from an entry to a document checks
/// the document against the entry and throws <see cref="CorruptionException"/>, never hands out a document whose value
/// is not the one asked for. Before, only an entry whose document did not exist was detected; a stale one handed out
/// its document (<c>ByEmail.Get(x)</c> returning a document whose Email is not x). Entries are made stale behind the
/// collection's back: a document's bytes rewritten under unchanged entries, or an entry put through the raw keyspace API.
/// </summary>
public sealed class StaleIndexEntryTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly List<Database> _opened = [];

    public void Dispose() => _opened.ForEach(db => db.Dispose());

    /// <summary>
    /// The unique lookup in a snapshot, a read transaction and a write transaction; the value the document has now has
    /// no entry, so it finds nothing; other documents, and a document whose Email an update changed, are found as before.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_unique_lookup_of_a_value_its_document_no_longer_has_throws(bool expires)
    {
        var users = Seed(expires);
        Rewrite(users, new User { Id = 2, Email = "moved@example.com", Age = 30 });

        AssertStale(users, "Email", () => users.ByEmail.Get("u2@example.com"));
        using (var read = users.Database.BeginRead())
        {
            AssertStale(users, "Email", () => users.ByEmail.Get("u2@example.com", read));
            Assert.Equal(1, users.ByEmail.Get("u1@example.com", read)?.Id);
        }

        using (var write = users.Database.BeginWrite())
        {
            AssertStale(users, "Email", () => users.ByEmail.Get("u2@example.com", write));
            Assert.Equal(1, users.ByEmail.Get("u1@example.com", write)?.Id);
        }

        Assert.Null(users.ByEmail.Get("moved@example.com"));
        Assert.Equal(3, users.ByEmail.Get("u3@example.com")?.Id);
        users.Update(new User { Id = 3, Email = "new3@example.com", Age = 30 });
        Assert.Equal(3, users.ByEmail.Get("new3@example.com")?.Id);
        Assert.Null(users.ByEmail.Get("u3@example.com"));
    }

    /// <summary>
    /// An entry put through the raw keyspace API that names a live document of another value (unique: the document
    /// has another Email; not unique: another Age), read by the unique lookup, an index scan and a query.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_entry_planted_for_a_document_of_another_value_throws(bool expires)
    {
        var users = Seed(expires);
        users.Database.Write(tx =>
        {
            tx.Put(users.IndexKeyspace(0), EmailValue("planted@example.com"), users.EncodeKey(5));
            tx.Put(users.IndexKeyspace(1), [.. AgeValue(45), .. users.EncodeKey(1)], []);
        });

        AssertStale(users, "Email", () => users.ByEmail.Get("planted@example.com"));
        AssertStale(users, "Email", () => users.Query().Where(u => u.Email.Is("planted@example.com")).ToList());
        AssertStale(users, "Age", () => users.ByAge.Find(45).ToList());
        AssertStale(users, "Age", () => users.Query().Where(u => u.Age.Is(45)).ToList());
        Assert.Equal(5, users.ByEmail.Get("u5@example.com")?.Id);
        Assert.Equal([4L, 5, 6], users.ByAge.Find(40).Select(u => u.Id));
    }

    /// <summary>
    /// A non-unique index, with several documents per value: every scan of a range holding the stale entry throws at
    /// that entry, in either direction, having handed out only documents of the values asked for; scans of other values
    /// hand out all their documents.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_index_scan_over_a_stale_entry_throws_at_it_and_hands_out_only_documents_of_the_range(bool expires)
    {
        var users = Seed(expires);
        Rewrite(users, new User { Id = 2, Email = "u2@example.com", Age = 35 }); // its entry says 30; none says 35

        foreach (var scan in new Func<IEnumerable<User>>[]
        {
            () => users.ByAge.Find(30),
            () => users.ByAge.Range(25, 31),
            () => users.ByAge.Range(25, 31, descending: true),
            () => users.ByAge.All(),
            () => users.ByAge.All(descending: true),
        })
        {
            var handedOut = new List<User>();
            AssertStale(users, "Age", () =>
            {
                foreach (var user in scan())
                {
                    handedOut.Add(user);
                }
            });
            Assert.All(handedOut, user => Assert.Contains(user.Age, new[] { 30, 40 }));
            Assert.DoesNotContain(handedOut, user => user.Id == 2);
        }

        Assert.Equal([4L, 5, 6], users.ByAge.Find(40).Select(u => u.Id));
        Assert.Equal([6L, 5, 4], users.ByAge.Range(31, 50, descending: true).Select(u => u.Id));
        Assert.Empty(users.ByAge.Find(35));
    }

    /// <summary>
    /// A write transaction's index scan is a keyset, each document checked against its entry when handed out: a
    /// document the loop changed meanwhile (its entry gone with the change, or, unique, taken by another document) is
    /// handed out as the transaction holds it, and a document whose stale entry the index still holds throws.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_write_transactions_index_scan_hands_out_what_the_loop_changed_and_throws_at_a_stale_entry(bool expires)
    {
        var users = Seed(expires);
        Rewrite(users, new User { Id = 3, Email = "moved3@example.com", Age = 35 }); // stale in both indexes

        using (var tx = users.Database.BeginWrite())
        {
            var visited = new List<(long Id, int Age)>();
            AssertStale(users, "Age", () =>
            {
                foreach (var user in users.ByAge.Find(30, tx))
                {
                    visited.Add((user.Id, user.Age));
                    if (user.Id == 1)
                    {
                        users.Update(new User { Id = 1, Email = "u1@example.com", Age = 32 }, tx);
                        users.Update(new User { Id = 2, Email = "u2@example.com", Age = 31 }, tx);
                    }
                }
            });
            Assert.Equal([(1L, 30), (2L, 31)], visited);
        }

        using (var tx = users.Database.BeginWrite())
        {
            var visited = new List<(long Id, string Email)>();
            AssertStale(users, "Email", () =>
            {
                foreach (var user in users.ByEmail.All(descending: false, tx))
                {
                    visited.Add((user.Id, user.Email));
                    if (user.Id == 1)
                    {
                        // Document 2 gives up its Email, which document 7 takes: the entry the scan gathered for 2 now names 7.
                        users.Update(new User { Id = 2, Email = "w2@example.com", Age = 30 }, tx);
                        users.Insert(new User { Id = 7, Email = "u2@example.com", Age = 70 }, tx);
                    }
                }
            });
            Assert.Equal([(1L, "u1@example.com"), (2L, "w2@example.com")], visited); // u3's entry names 3, whose Email moved
        }

        using (var tx = users.Database.BeginWrite())
        {
            Assert.Equal([4L, 5, 6], users.ByAge.Find(40, tx).Select(u => u.Id));
            Assert.Equal([6L, 5, 4], users.ByAge.Range(36, 50, descending: true, tx).Select(u => u.Id));
        }
    }

    /// <summary>
    /// The query engine's index paths: one index, an intersection of two (each document checked against the entries of
    /// both: the stale entry is in the index whose keys are collected), a union, in a snapshot and in a write
    /// transaction; queries that meet no stale entry return what they did.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Queries_through_an_index_path_over_a_stale_entry_throw(bool expires)
    {
        var users = Seed(expires);
        Rewrite(users, new User { Id = 2, Email = "u2@example.com", Age = 35 }); // still between 30 and 41: only the entry is wrong

        var intersection = users.Query().Where(u => u.Age.Between(30, 41) & u.Email.StartsWith("u"));
        Assert.Contains("intersection of [index 'Age'", intersection.Explain(), StringComparison.Ordinal);
        var union = users.Query().Where(u => u.Age.Is(30) | u.Email.Is("u5@example.com"));
        Assert.StartsWith("union of [index 'Age'", union.Explain(), StringComparison.Ordinal);
        foreach (var transaction in new Transaction?[] { null, users.Database.BeginWrite() })
        {
            AssertStale(users, "Age", () => users.Query(transaction).Where(u => u.Age.Is(30)).ToList());
            AssertStale(users, "Age", () => users.Query(transaction).Where(u => u.Age.AtMost(30)).OrderByDescending(u => u.Age).ToList());
            AssertStale(users, "Age", () => users.Query(transaction).Where(u => u.Age.Between(30, 41) & u.Email.StartsWith("u")).ToList());
            AssertStale(users, "Age", () => users.Query(transaction).Where(u => u.Age.Is(30) | u.Email.Is("u5@example.com")).ToList());
            AssertStale(users, "Age", () => users.Query(transaction).Where(u => u.Age.Is(30) & u.Name.Is("")).Count());
            Assert.Equal([4L, 5, 6], users.Query(transaction).Where(u => u.Age.Is(40)).Select(u => u.Id));
            Assert.Equal([5L], users.Query(transaction).Where(u => u.Age.Between(36, 50) & u.Email.StartsWith("u5")).Select(u => u.Id));
            transaction?.Dispose();
        }

        // The other side of the intersection: a stale Email entry.
        Rewrite(users, new User { Id = 2, Email = "x2@example.com", Age = 30 });
        AssertStale(users, "Email", () => users.Query().Where(u => u.Age.Between(30, 41) & u.Email.StartsWith("u")).ToList());
        AssertStale(users, "Email", () => users.Query().Where(u => u.Age.Is(40) | u.Email.Is("u2@example.com")).ToList());
    }

    /// <summary>
    /// An expired document is not handed out through its entries, stale or not, as before; a live document's stale
    /// entry throws beside it.
    /// </summary>
    [Fact]
    public void An_expired_documents_stale_entries_are_skipped_as_before()
    {
        var users = Seed(expires: true);
        users.Insert(new User { Id = 7, Email = "u7@example.com", Age = 50, ExpiresAt = Start + TimeSpan.FromSeconds(5) });
        Rewrite(users, new User { Id = 7, Email = "gone7@example.com", Age = 55, ExpiresAt = Start + TimeSpan.FromSeconds(5) });
        Rewrite(users, new User { Id = 1, Email = "moved1@example.com", Age = 30 });
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Null(users.ByEmail.Get("u7@example.com"));
        Assert.Empty(users.ByAge.Find(50));
        Assert.Empty(users.Query().Where(u => u.Age.Is(50)).ToList());
        using (var tx = users.Database.BeginWrite())
        {
            Assert.Empty(users.ByAge.Find(50, tx));
            Assert.Null(users.ByEmail.Get("u7@example.com", tx));
        }

        AssertStale(users, "Email", () => users.ByEmail.Get("u1@example.com"));
    }

    /// <summary>
    /// With a hot cache, a lookup that hits the cached document is checked too; a cached instance the application
    /// changed (which it should not) is no corruption: the stored document decides, and is returned in its place.
    /// </summary>
    [Fact]
    public void A_hot_cache_hit_is_checked_and_a_cached_instance_the_application_changed_is_not_taken_for_corruption()
    {
        var options = Options();
        options.Collections["users"] = new CollectionOptions { HotCacheMaxCount = 100 };
        var users = Seed(expires: false, options);
        Rewrite(users, new User { Id = 2, Email = "moved@example.com", Age = 30 });
        Assert.Equal("moved@example.com", users.Get(2)?.Email); // cached
        var before = users.CacheCounters.Hits;
        AssertStale(users, "Email", () => users.ByEmail.Get("u2@example.com"));
        Assert.True(users.CacheCounters.Hits > before);

        var changed = users.Get(1)!;
        changed.Email = "changed@example.com";
        changed.Age = 99;
        var found = users.ByEmail.Get("u1@example.com");
        Assert.Equal(("u1@example.com", 30), (found?.Email, found?.Age));
        Assert.Equal([(1L, 30), (2L, 30), (3L, 30)], users.ByAge.Find(30).Select(u => (u.Id, u.Age)));
    }

    /// <summary>
    /// The exception names the index and the collection and points to the consistency check, which lists the stale
    /// entry, and to the repair, after which the reads find each document by the value it has.
    /// </summary>
    [Fact]
    public void The_exception_names_the_index_and_the_repair_and_the_repair_puts_the_reads_right()
    {
        var users = Seed(expires: true);
        Rewrite(users, new User { Id = 2, Email = "moved@example.com", Age = 35 });

        var stale = AssertStale(users, "Email", () => users.ByEmail.Get("u2@example.com"));
        Assert.Contains("CheckConsistency()", stale.Message, StringComparison.Ordinal);
        Assert.Contains("RepairIndexes()", stale.Message, StringComparison.Ordinal);
        Assert.Contains("key 2", stale.Message, StringComparison.Ordinal);
        var problems = users.CheckConsistency();
        Assert.Contains(problems, p => p.Contains("index 'Email' has an entry no document produces", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("index 'Age' has an entry no document produces", StringComparison.Ordinal));

        Assert.Equal(4, users.RepairIndexes()); // two stale entries removed, two missing ones written

        Assert.Empty(users.CheckConsistency());
        Assert.Null(users.ByEmail.Get("u2@example.com"));
        Assert.Equal(2, users.ByEmail.Get("moved@example.com")?.Id);
        Assert.Equal([1L, 3], users.ByAge.Find(30).Select(u => u.Id));
        Assert.Equal([2L], users.ByAge.Find(35).Select(u => u.Id));
        Assert.Equal([2L], users.Query().Where(u => u.Age.Is(35)).Select(u => u.Id));
    }

    private static CorruptionException AssertStale(Users users, string index, Action read)
    {
        var thrown = Assert.Throws<CorruptionException>(read);
        Assert.Equal(ErrorCode.Corruption, thrown.Code);
        Assert.Contains($"The index '{index}' of '{users.Name}' has a stale entry", thrown.Message, StringComparison.Ordinal);
        return thrown;
    }

    private static CorruptionException AssertStale(Users users, string index, Func<object?> read) => AssertStale(users, index, () => { _ = read(); });

    /// <summary>Six users: 1 to 3 of Age 30, 4 to 6 of Age 40, each of Email u{id}@example.com.</summary>
    private Users Seed(bool expires, DatabaseOptions? options = null)
    {
        var db = Database.OpenInMemory(options ?? Options());
        _opened.Add(db);
        var users = new Users(db, expires);
        users.InsertMany(Enumerable.Range(1, 6).Select(i => new User { Id = i, Email = $"u{i}@example.com", Age = i <= 3 ? 30 : 40 }));
        return users;
    }

    private DatabaseOptions Options()
    {
        var options = new DatabaseOptions { TimeProvider = _time };
        options.Ttl.RunCollectorInBackground = false;
        return options;
    }

    /// <summary>
    /// Stores <paramref name="document"/> under its key behind the collection's back: the index entries of the document
    /// it replaces stay, stale where its values differ, and its own values get none (its expiry must be the one replaced).
    /// </summary>
    private static void Rewrite(Users users, User document) =>
        users.Database.Write(tx => tx.Put(users.Documents, users.EncodeKey(document.Id), users.Encode(document).ToArray()));

    private static byte[] EmailValue(string email) => KeyOf(email, static (ref KeyWriter w, string v) => w.WriteString(v));

    private static byte[] AgeValue(int age) => KeyOf(age, static (ref KeyWriter w, int v) => w.WriteInt32(v));

    private static byte[] KeyOf<TValue>(TValue value, KeyPartWriter<TValue> write)
    {
        var writer = new KeyWriter(new byte[64]);
        try
        {
            write(ref writer, value);
            return writer.ToArray();
        }
        finally
        {
            writer.Dispose();
        }
    }

    /// <summary>"users" with or without its expiry member, with a lookup and scans of both indexes and queries.</summary>
    private sealed class Users : Collection<User, long>
    {
        public Users(Database database, bool expires)
            : base(database, new HookedUserSchema(expires, UserSchema.Instance.Indexes, onDecode: null))
        {
            ByEmail = new Accessor(this, 0);
            ByAge = new Accessor(this, 1);
        }

        public Accessor ByEmail { get; }

        public Accessor ByAge { get; }

        public Query<User, long, UserFields> Query(Transaction? transaction = null) => new(this, UserFields.Instance, transaction);
    }

    private sealed class Accessor(Collection<User, long> users, int index) : IndexAccessor<User, long>(users, index)
    {
        public User? Get(string email, Transaction? transaction = null) =>
            GetUnique(email, static (ref KeyWriter w, string v) => w.WriteString(v), transaction);

        public IEnumerable<User> Find(int age, Transaction? transaction = null) => Scan(KeyRange.Prefix(AgeValue(age)), false, transaction);

        public IEnumerable<User> Range(int from, int to, bool descending = false, Transaction? transaction = null) =>
            Scan(KeyRange.Between(AgeValue(from), AgeValue(to)), descending, transaction);

        public IEnumerable<User> All(bool descending = false, Transaction? transaction = null) => Scan(KeyRange.All, descending, transaction);
    }
}
