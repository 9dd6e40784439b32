using System.Runtime.CompilerServices;
using Persistence.Collections;
using Persistence.Serialization;
using Persistence.Testing;

namespace Persistence.Tests.Collections;

/// <summary>
/// Scans in a write transaction (All, Range and the index accessors' scans) are keysets: which documents, in which
/// order, is fixed when the enumeration starts, and each is read as the transaction holds it when handed out. The keys
/// are taken from the documents keyspace or the index entries, so each document is decoded once, when handed out
/// (before, a first pass decoded every document only to take its key); expired documents are left out as they were.
/// </summary>
public sealed class CollectionKeysetTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly List<Database> _opened = [];

    public void Dispose() => _opened.ForEach(db => db.Dispose());

    /// <summary>
    /// Counted through the schema's Deserialize: the scans decode each document they hand out once, and nothing else,
    /// with and without the expiry index; a loop that stops at the first document decodes one. Before, each scan
    /// decoded every document twice, and a loop stopping at the first had decoded them all first.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_write_transactions_scan_decodes_each_document_once_when_it_hands_it_out(bool expires)
    {
        var users = new CountingUsers(Open(), expires);
        var all = Enumerable.Range(1, 20).Select(i => new User { Id = i, Email = $"u{i:D2}@example.com", Age = 20 + (i % 5) }).ToList();
        users.InsertMany(all);
        var byAgeDescending = all.OrderByDescending(u => u.Age).ThenByDescending(u => u.Id).Select(u => u.Id).ToList();

        using var tx = users.Database.BeginWrite();
        AssertDecodes(users, 20, all.Select(u => u.Id), () => users.All(tx));
        AssertDecodes(users, 10, Enumerable.Range(5, 10).Select(i => (long)i), () => users.Range(5, 15, tx));
        AssertDecodes(users, 20, byAgeDescending, () => users.ByAge.All(descending: true, tx));
        AssertDecodes(users, 8, byAgeDescending.Where(id => all[(int)id - 1].Age is 21 or 22).Reverse(), () => users.ByAge.Range(21, 23, descending: false, tx));
        AssertDecodes(users, 20, all.Select(u => u.Id).Reverse(), () => users.ByEmail.All(descending: true, tx)); // a unique index: the key is the entry's value
        AssertDecodes(users, 1, [1L], () => users.All(tx).Take(1));
        AssertDecodes(users, 1, [byAgeDescending[0]], () => users.ByAge.All(descending: true, tx).Take(1));
    }

    /// <summary>Documents expired at the transaction's snapshot time are not handed out, and not decoded either.</summary>
    [Fact]
    public void A_write_transactions_scan_neither_hands_out_nor_decodes_expired_documents()
    {
        var users = ExpiringUsers();
        using var tx = users.Database.BeginWrite();
        AssertDecodes(users, 4, [1L, 3, 4, 6], () => users.All(tx));
        AssertDecodes(users, 3, [3L, 4, 6], () => users.Range(2, 7, tx));
        AssertDecodes(users, 4, [6L, 4, 3, 1], () => users.ByAge.All(descending: true, tx));
        AssertDecodes(users, 3, [3L, 4], () => users.ByEmail.All(descending: false, tx).Skip(1).Take(2)); // 1, skipped, is handed out too
    }

    /// <summary>
    /// A document the loop writes under an expired document's key (an insert over an expired document replaces it as
    /// if absent) is a document inserted by the loop, which the scan does not meet, though the expired one's key was in
    /// the range (and its index entry in the index) when the scan started.
    /// </summary>
    [Fact]
    public void A_write_transactions_scan_does_not_meet_a_document_the_loop_writes_under_an_expired_ones_key()
    {
        var users = ExpiringUsers();
        using var tx = users.Database.BeginWrite();
        var visited = new List<long>();
        foreach (var user in users.All(tx))
        {
            visited.Add(user.Id);
            if (user.Id == 1)
            {
                users.Insert(new User { Id = 2, Email = "new2@example.com", Age = 30 }, tx);
            }
        }

        Assert.Equal([1L, 3, 4, 6], visited);
        visited.Clear();
        foreach (var user in users.ByAge.All(descending: true, tx))
        {
            visited.Add(user.Id);
            if (user.Id == 6)
            {
                users.Upsert(new User { Id = 5, Email = "new5@example.com", Age = 30 }, tx); // under the expired one's entry
            }
        }

        Assert.Equal([6L, 4, 3, 2, 1], visited); // 2, which the loop before inserted, is one of the transaction's documents now
        tx.Commit();
        Assert.Empty(users.CheckConsistency());
    }

    /// <summary>
    /// With sliding expiration, gathering the keyset is not a read: only the documents handed out slide, so a loop that
    /// stops early extends those it saw. A document whose expiry index entry has passed but which a read extended since
    /// (not yet written back) is live, and is handed out.
    /// </summary>
    [Fact]
    public void A_write_transactions_scan_extends_only_what_it_hands_out_and_hands_out_what_a_read_extended()
    {
        var options = Options();
        options.Collections["users"] = new CollectionOptions { DefaultTimeToLive = TimeSpan.FromSeconds(10), SlidingExpiration = true };
        var users = new UserCollection(Open(options));
        for (var id = 1; id <= 4; id++)
        {
            users.Insert(new User { Id = id, Email = $"u{id}@example.com", Age = 40 - id });
        }

        _time.Advance(TimeSpan.FromSeconds(5));
        using (var tx = users.Database.BeginWrite())
        {
            Assert.Equal([1L], users.All(tx).Take(1).Select(u => u.Id));
            Assert.Equal([4L], users.ByAge.All(descending: false, tx).Take(1).Select(u => u.Id));
        }

        _time.Advance(TimeSpan.FromSeconds(7)); // 12 s: 2 and 3 expired at 10 s; 1 and 4, read at 5 s, live until 15 s
        using (var tx = users.Database.BeginWrite())
        {
            Assert.Equal([1L, 4], users.All(tx).Select(u => u.Id));
            Assert.Equal([4L], users.Range(2, 5, tx).Select(u => u.Id));
            Assert.Equal([1L, 4], users.ByAge.Range(0, 100, descending: true, tx).Select(u => u.Id));
        }

        Assert.Null(users.Get(2));
        Assert.Null(users.Get(3));
    }

    /// <summary>
    /// An index's count of a collection with expiry decodes no document: the expired ones are left out from the expiry
    /// index, in a read and in a write transaction, and a document written in the transaction counts by its new expiry.
    /// </summary>
    [Fact]
    public void Counting_an_index_range_with_expiry_decodes_nothing()
    {
        var users = ExpiringUsers(); // 1 to 6, of Age 30; 2 and 5 expired
        users.Decodes = 0;
        Assert.Equal(4, users.ByAge.Count(30, 31));
        using (var tx = users.Database.BeginWrite())
        {
            users.Upsert(new User { Id = 3, Email = "u3@example.com", Age = 30, ExpiresAt = Start }, tx); // expires it
            users.Decodes = 0;
            Assert.Equal(3, users.ByAge.Count(30, 31, tx));
            Assert.Equal(0, users.ByAge.Count(31, 40, tx));
        }

        Assert.Equal(0, users.Decodes);
    }

    /// <summary>
    /// With sliding expiration, counting decodes no document: documents whose expiry entry has passed are left out from
    /// the expiry index and the reads recorded since, and one that a read extended still counts.
    /// </summary>
    [Fact]
    public void Counting_a_sliding_collection_decodes_nothing()
    {
        var options = Options();
        options.Collections["users"] = new CollectionOptions { DefaultTimeToLive = TimeSpan.FromSeconds(10), SlidingExpiration = true };
        var users = new CountingUsers(Open(options), expires: false);
        for (var id = 1; id <= 6; id++)
        {
            users.Insert(new User { Id = id, Email = $"u{id}@example.com", Age = 30 });
        }

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.NotNull(users.Get(2)); // slides 2 to 15 s
        _time.Advance(TimeSpan.FromSeconds(7)); // 12 s: all but 2 expired at 10 s
        users.Decodes = 0;
        Assert.Equal(1, users.Count());
        using (var tx = users.Database.BeginWrite())
        {
            Assert.Equal(1, users.Count(tx));
        }

        Assert.Equal(0, users.Decodes);
        _time.Advance(TimeSpan.FromSeconds(3)); // 15 s: 2 expired too
        Assert.Equal(0, users.Count());
    }

    /// <summary>
    /// A descending index scan and a primary-key range, while the loop moves each visited document ahead of the scan,
    /// deletes one ahead, changes one ahead (out of the range: it was in it when the scan started) and inserts one ahead:
    /// each original comes out once, as the transaction holds it then; the deleted and inserted ones do not.
    /// </summary>
    [Fact]
    public void A_write_transactions_scan_in_either_direction_meets_each_original_once_as_the_loop_left_it()
    {
        var users = new UserCollection(Open());
        users.InsertMany(Enumerable.Range(1, 10).Select(i => new User { Id = i, Email = $"u{i}@example.com", Age = 19 + i }));

        using var tx = users.Database.BeginWrite();
        var visited = new List<(long Id, int Age, string Name)>();
        foreach (var user in users.ByAge.Range(20, 30, descending: true, tx))
        {
            visited.Add((user.Id, user.Age, user.Name));
            if (user.Id == 10)
            {
                users.Delete(3, tx);
                var changed = users.Get(5, tx)!;
                changed.Name = "changed ahead";
                changed.Age = 100;
                users.Update(changed, tx);
                users.Insert(new User { Id = 11, Email = "u11@example.com", Age = 25 }, tx);
            }

            user.Age -= 5; // ahead of the scan again, or out of the range
            users.Update(user, tx);
        }

        Assert.Equal([10L, 9, 8, 7, 6, 5, 4, 2, 1], visited.Select(v => v.Id));
        Assert.Equal((5L, 100, "changed ahead"), visited[5]);
        Assert.Equal((4L, 23, ""), visited[6]);

        visited.Clear();
        foreach (var user in users.Range(2, 9, tx))
        {
            visited.Add((user.Id, user.Age, user.Name));
            if (user.Id == 2)
            {
                users.Delete(4, tx);
                users.Insert(new User { Id = 3, Email = "again3@example.com" }, tx); // the first loop deleted 3
                users.Upsert(new User { Id = 6, Email = "u6@example.com", Age = 1, Name = "upserted ahead" }, tx);
            }
        }

        Assert.Equal([2L, 5, 6, 7, 8], visited.Select(v => v.Id));
        Assert.Equal((6L, 1, "upserted ahead"), visited[2]);
        tx.Commit();
        Assert.Empty(users.CheckConsistency());
    }

    /// <summary>
    /// An entry whose document is gone is corruption in a write transaction too, whichever the direction and whether
    /// the entry holds the key in its value (unique) or at its end: reported when the enumeration starts, before any
    /// document is handed out, never skipped as a document the loop deleted.
    /// </summary>
    [Fact]
    public void A_write_transactions_index_scan_reports_an_entry_without_its_document_before_handing_any_out()
    {
        var users = new CountingUsers(Open(), expires: true);
        users.InsertMany(Enumerable.Range(1, 5).Select(i => new User { Id = i, Email = $"u{i}@example.com", Age = 30 }));
        users.Database.Write(tx => tx.Delete(users.Documents, users.EncodeKey(3)));

        using var tx = users.Database.BeginWrite();
        foreach (var scan in new Func<IEnumerable<User>>[]
        {
            () => users.ByAge.All(descending: false, tx),
            () => users.ByAge.All(descending: true, tx),
            () => users.ByEmail.All(descending: false, tx),
            () => users.ByEmail.All(descending: true, tx),
        })
        {
            using var enumerator = scan().GetEnumerator();
            Assert.Equal(ErrorCode.Corruption, Assert.Throws<CorruptionException>(() => enumerator.MoveNext()).Code);
        }
    }

    /// <summary>
    /// The expired documents the collector has not removed yet are the whole collection's, wherever their keys lie: a
    /// scan of a few documents neither walks nor holds a backlog of them (here 20,000, with the collector left to the
    /// host), past a few entries per key it gathered it decides those keys on their own documents. Before, each scan
    /// walked the backlog and held a set of all its keys (some 2.6 MiB here, 25.7 MiB for 200,000), for one document.
    /// What it hands out is the same: expired documents in its range left out, one the loop writes under such a key not met.
    /// </summary>
    [Fact]
    public void A_write_transactions_scan_of_a_few_documents_does_not_walk_a_backlog_of_expired_ones()
    {
        var users = ExpiringUsers(); // 1 to 6, of Age 30; 2 and 5 expired
        users.Database.Write(tx =>
        {
            for (var id = 101; id <= 20_100; id++)
            {
                users.Insert(new User { Id = id, Email = $"u{id}@example.com", Age = 50, ExpiresAt = Start + TimeSpan.FromSeconds(5) }, tx);
            }

            return true;
        });

        using var tx = users.Database.BeginWrite();
        Assert.Equal([1L, 3, 4], users.Range(1, 5, tx).Select(u => u.Id)); // first, so that what is measured below runs compiled
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal([1L, 3, 4], users.Range(1, 5, tx).Select(u => u.Id));
        Assert.Equal([6L, 4, 3, 1], users.ByAge.Range(30, 31, descending: true, tx).Select(u => u.Id));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 256 * 1024);

        var visited = new List<long>();
        foreach (var user in users.Range(1, 6, tx))
        {
            visited.Add(user.Id);
            if (user.Id == 1)
            {
                users.Insert(new User { Id = 5, Email = "new5@example.com", Age = 30 }, tx); // over the expired one
            }
        }

        Assert.Equal([1L, 3, 4], visited);
        Assert.Equal([1L, 3, 4, 5], users.Range(1, 6, tx).Select(u => u.Id));
        Assert.Empty(users.Range(100, 20_200, tx)); // the backlog itself, walked whole: as many entries as keys gathered
    }

    /// <summary>Six documents of Age 30, of which 2 and 5 expired at 5 s; the clock at 10 s.</summary>
    private CountingUsers ExpiringUsers()
    {
        var users = new CountingUsers(Open(), expires: true);
        for (var id = 1; id <= 6; id++)
        {
            users.Insert(new User { Id = id, Email = $"u{id}@example.com", Age = 30, ExpiresAt = id is 2 or 5 ? Start + TimeSpan.FromSeconds(5) : null });
        }

        _time.Advance(TimeSpan.FromSeconds(10));
        return users;
    }

    private static void AssertDecodes(CountingUsers users, int decodes, IEnumerable<long> ids, Func<IEnumerable<User>> scan)
    {
        users.Decodes = 0;
        Assert.Equal(ids, scan().Select(u => u.Id).ToList());
        Assert.Equal(decodes, users.Decodes);
    }

    private DatabaseOptions Options()
    {
        var options = new DatabaseOptions { TimeProvider = _time };
        options.Ttl.RunCollectorInBackground = false;
        return options;
    }

    private Database Open(DatabaseOptions? options = null)
    {
        var db = Database.OpenInMemory(options ?? Options());
        _opened.Add(db);
        return db;
    }

    /// <summary>"users" whose schema counts the documents it decodes, with scans of both its indexes.</summary>
    private sealed class CountingUsers : Collection<User, long>
    {
        private readonly StrongBox<int> _decodes;

        public CountingUsers(Database database, bool expires)
            : this(database, expires, new StrongBox<int>())
        {
        }

        private CountingUsers(Database database, bool expires, StrongBox<int> decodes)
            : base(database, new HookedUserSchema(expires, UserSchema.Instance.Indexes, () => decodes.Value++))
        {
            _decodes = decodes;
            ByEmail = new Scans(this, 0);
            ByAge = new Scans(this, 1);
        }

        public int Decodes
        {
            get => _decodes.Value;
            set => _decodes.Value = value;
        }

        public Scans ByEmail { get; }

        public Scans ByAge { get; }

        public sealed class Scans(CountingUsers users, int index) : IndexAccessor<User, long>(users, index)
        {
            public IEnumerable<User> All(bool descending, Transaction transaction) => Scan(KeyRange.All, descending, transaction);

            public IEnumerable<User> Range(int from, int to, bool descending, Transaction transaction) =>
                Scan(KeyRange.Between(Age(from), Age(to)), descending, transaction);

            public long Count(int from, int to, Transaction? transaction = null) => CountRange(KeyRange.Between(Age(from), Age(to)), transaction);

            private static byte[] Age(int age) => Encode(age, static (ref KeyWriter w, int v) => w.WriteInt32(v));
        }
    }
}
