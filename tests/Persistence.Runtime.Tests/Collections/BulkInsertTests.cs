using Persistence.Testing;
using Persistence.Transactions;

namespace Persistence.Tests.Collections;

/// <summary>
/// <c>InsertMany</c> of a collection (a list, an array) in a large transaction puts the leading run of each chunk that
/// fresh inserts would put, documents first, then their entries tree by tree, and writes the rest of the chunk one by
/// one (Collection.Bulk.cs); a lazy sequence is written one by one as it is read. Each test runs the same calls in a
/// second database whose collection writes every document one by one (<c>BulkChunk = 0</c>, the behaviour before
/// chunks) and compares the outcome and every tree of the collection, key by key; <c>BulkInserted</c> shows how many
/// documents went through in bulk.
/// </summary>
public sealed partial class BulkInsertTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// At most how many documents InsertMany's own transaction writes one by one before its overlay turns into a private
    /// tree and chunks can begin: each document writes at least three entries (itself and two index entries).
    /// </summary>
    private const int FirstOneByOne = WriteOverlay.PromoteAfter / 3 + 1;

    private readonly FakeTimeProvider _time = new(Start);
    private readonly List<Database> _databases = [];

    public void Dispose()
    {
        foreach (var database in _databases)
        {
            database.Dispose();
        }
    }

    /// <summary>How <c>InsertMany</c> is handed its documents.</summary>
    public enum Sequence
    {
        /// <summary>A list: taken in chunks.</summary>
        List,

        /// <summary>An <see cref="IReadOnlyCollection{T}"/> that is not an <see cref="ICollection{T}"/>: taken in chunks.</summary>
        ReadOnlyCollection,

        /// <summary>A sequence read as it is written: one by one.</summary>
        Lazy,
    }

    [Theory]
    [InlineData(true, Sequence.List)] // the caller's transaction, large from the start
    [InlineData(false, Sequence.List)] // InsertMany's own: small for its first documents, then large
    [InlineData(true, Sequence.ReadOnlyCollection)]
    [InlineData(true, Sequence.Lazy)]
    [InlineData(false, Sequence.Lazy)]
    public void Several_chunks_and_a_remainder_leave_the_trees_that_inserting_one_by_one_leaves(bool callers, Sequence sequence)
    {
        const int count = 10_000; // nine chunks of 1,024 and a remainder of 784, written in bulk too
        var (users, oneByOne) = OpenUsers(bulkChunk: 1_024);
        var documents = Enumerable.Range(0, count).Select(NewUser).ToList();
        InsertMany(users, As(documents, sequence), callers);
        InsertMany(oneByOne, As(documents, sequence), callers);

        if (sequence == Sequence.Lazy)
        {
            Assert.Equal(0, users.BulkInserted); // read ahead of the writes, it could see what it yields unwritten
        }
        else if (callers)
        {
            Assert.Equal(count, users.BulkInserted);
        }
        else
        {
            Assert.InRange(users.BulkInserted, count - FirstOneByOne, count - 1);
        }

        Assert.Equal(0, oneByOne.BulkInserted); // the comparison is with the old path
        Assert.Equal(Trees(oneByOne.Database, "users"), Trees(users.Database, "users"));
        AssertReads(users, documents);
    }

    [Theory]
    [InlineData(255, 1_024, 0)] // too few documents for a chunk
    [InlineData(256, 1_024, 256)]
    [InlineData(300, 255, 0)] // chunks too small: bulk is off
    [InlineData(600, 256, 512)] // two chunks of 256; the remainder of 88 is too small for one
    public void A_collection_goes_in_chunks_of_at_least_256_documents(int count, int bulkChunk, int inBulk)
    {
        var (users, oneByOne) = OpenUsers(bulkChunk);
        var documents = Enumerable.Range(0, count).Select(NewUser).ToArray();
        InsertMany(users, documents, callers: true);
        InsertMany(oneByOne, documents, callers: true);

        Assert.Equal(inBulk, users.BulkInserted);
        Assert.Equal(Trees(oneByOne.Database, "users"), Trees(users.Database, "users"));
        AssertReads(users, [.. documents]);
    }

    [Fact]
    public void Chunks_a_commit_wrote_come_back_from_the_log_after_a_crash_and_from_the_file_after_a_checkpoint()
    {
        var fs = new SimulatedFileSystem();
        var db = TestDatabases.Open(fs, TestDatabases.Quiet()); // no checkpoint unless asked: the reopen replays the log
        var users = new UserCollection(db);
        var documents = Enumerable.Range(0, 10_000).Select(NewUser).ToList();
        using (var tx = db.BeginWrite(Durability.Durable))
        {
            tx.CreateKeyspace("promotes");
            users.InsertMany(documents, tx);
            tx.Commit();
        }

        Assert.Equal(10_000, users.BulkInserted);
        var written = Trees(db, "users");
        var image = fs.AfterCrash(CrashMode.DropUnsynced, new Random(1));
        db.Dispose();

        var recovered = TestDatabases.Open(image, TestDatabases.Quiet());
        Assert.True(recovered.Recovered!.Commits >= 1, "the reopen replayed nothing: the test did not read the chunks back from the log");
        Assert.Equal(written, Trees(recovered, "users"));
        AssertReads(new UserCollection(recovered), documents);

        Assert.True(recovered.Checkpoint());
        using var reopened = TestDatabases.CloseCheckAndReopen(recovered, image, TestDatabases.Quiet());
        Assert.Equal(written, Trees(reopened, "users"));
        AssertReads(new UserCollection(reopened), documents);
    }

    public enum Refusal
    {
        StoredKey,
        KeyTwiceInChunk,
        StoredUniqueValue,
        UniqueValueTwiceInChunk,
        SerializerThrows,
        GetterThrows,
        IndexKeyTooLong,
        IndexKeyEmpty,
        NullDocument,
        EnumeratorThrows,
    }

    /// <summary>
    /// The refusal tests insert this many parts in chunks of 512, of which the one at <see cref="Refused"/> is refused:
    /// the third chunk holds it ([1,024, 1,536) in the caller's large transaction; a few dozen documents later in
    /// InsertMany's own, which writes one by one until its overlay turns into a private tree).
    /// </summary>
    private const int Parts = 2_000;

    private const int Refused = 1_400;

    public static TheoryData<Refusal, bool, bool> Refusals()
    {
        var data = new TheoryData<Refusal, bool, bool>();
        foreach (var refusal in Enum.GetValues<Refusal>())
        {
            foreach (var collection in new[] { true, false })
            {
                data.Add(refusal, true, collection); // in the caller's transaction
                data.Add(refusal, false, collection); // in InsertMany's own
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_refusal_in_a_chunk_leaves_the_documents_before_it_with_their_entries_and_none_after_it(Refusal refusal, bool callers, bool collection)
    {
        var (parts, oneByOne) = (OpenParts(bulkChunk: 512), OpenParts(bulkChunk: 0));
        var before = Trees(parts.Database, "parts");

        var thrown = InsertRefused(parts, refusal, callers, collection, out var after);
        var expected = InsertRefused(oneByOne, refusal, callers, collection, out var oneByOneAfter);

        Assert.Equal(expected.GetType(), thrown.GetType());
        Assert.Equal(expected.Message, thrown.Message);
        Assert.IsType(refusal switch
        {
            Refusal.StoredKey or Refusal.KeyTwiceInChunk => typeof(DocumentException),
            Refusal.StoredUniqueValue or Refusal.UniqueValueTwiceInChunk => typeof(UniqueConstraintException),
            Refusal.SerializerThrows or Refusal.GetterThrows => typeof(InvalidOperationException),
            Refusal.IndexKeyTooLong or Refusal.IndexKeyEmpty => typeof(LimitExceededException),
            Refusal.NullDocument => typeof(ArgumentException),
            _ => typeof(EnumerationFailedException),
        }, thrown);

        // A lazy sequence goes one by one. In a collection the two chunks before the refused document go through in
        // bulk, and so do the documents before it in its own chunk: the run of that chunk ends at the refused one.
        if (!collection)
        {
            Assert.Equal(0, parts.BulkInserted);
        }
        else if (callers)
        {
            Assert.Equal(Refused, parts.BulkInserted);
        }
        else if (refusal == Refusal.EnumeratorThrows)
        {
            // In a write of its own, a collection other than an array or list is copied before the write, to be read
            // once whatever the retries: an enumeration that throws throws before anything is put.
            Assert.Equal(0, parts.BulkInserted);
        }
        else
        {
            Assert.InRange(parts.BulkInserted, Refused - FirstOneByOne, Refused - 1);
        }

        Assert.Equal(oneByOneAfter, after);
        if (callers)
        {
            Assert.Equal(Trees(oneByOne.Database, "parts"), Trees(parts.Database, "parts"));
            using var read = parts.Database.BeginRead();
            Assert.Equal(1 + Refused, parts.Count(read));
            var expiring = parts.ExpiryEntries(read);
            for (var i = 0; i < Parts; i++)
            {
                Assert.Equal(i < Refused ? (long?)i : null, parts.Get(i, read)?.Id);
                Assert.Equal(i < Refused ? (long?)i : null, parts.ByCode($"c{i}", read)?.Id);
                Assert.Equal(i < Refused && i % 2 == 0, expiring.Contains(i));
            }
        }
        else
        {
            Assert.Equal(before, after); // all or none
        }

        Assert.Empty(parts.CheckConsistency());
        TestDatabases.AssertConsistent(parts.Database);
    }

    /// <summary>
    /// Inserts <see cref="Parts"/> documents over one stored part (key -1, code "taken"), the one at
    /// <see cref="Refused"/> refused as <paramref name="refusal"/> says, as a list (<paramref name="collection"/>; a
    /// collection whose enumeration throws for <see cref="Refusal.EnumeratorThrows"/>) or a lazy sequence; in the
    /// caller's transaction, checks it, then commits. Returns what was thrown, and the collection's trees as the
    /// transaction left them (before the commit).
    /// </summary>
    private static Exception InsertRefused(PartCollection parts, Refusal refusal, bool callers, bool collection, out List<string> after)
    {
        var tooLong = new string('t', parts.Database.MaxKeySize - 3); // fits a key alone; not with the primary key after it
        IEnumerable<Part?> Documents()
        {
            for (var i = 0; i < Parts; i++)
            {
                if (i != Refused)
                {
                    yield return NewPart(i);
                    continue;
                }

                yield return refusal switch
                {
                    Refusal.StoredKey => new Part { Id = -1, Code = $"c{i}" },
                    Refusal.KeyTwiceInChunk => new Part { Id = 1_100, Code = $"c{i}" },
                    Refusal.StoredUniqueValue => new Part { Id = i, Code = "taken" },
                    Refusal.UniqueValueTwiceInChunk => new Part { Id = i, Code = "c1100" },
                    Refusal.SerializerThrows => new Part { Id = i, Code = Part.SerializerThrows },
                    Refusal.GetterThrows => new Part { Id = i, Code = Part.GetterThrows },
                    Refusal.IndexKeyTooLong => new Part { Id = i, Code = $"c{i}", Tag = tooLong },
                    Refusal.IndexKeyEmpty => new Part { Id = i, Code = Part.NoBytes },
                    Refusal.NullDocument => null,
                    _ => throw new EnumerationFailedException(),
                };
            }
        }

        IEnumerable<Part?> documents = !collection ? Documents()
            : refusal == Refusal.EnumeratorThrows ? new Counted<Part?>(Documents(), Parts)
            : Documents().ToList();
        if (!callers)
        {
            var refused = Record.Exception(() => parts.InsertMany(documents!));
            after = Trees(parts.Database, "parts");
            return refused;
        }

        using var tx = parts.Database.BeginWrite();
        tx.CreateKeyspace("promotes");
        var thrown = Record.Exception(() => parts.InsertMany(documents!, tx));
        Assert.Empty(parts.CheckConsistency(tx));
        after = Trees(tx, "parts");
        tx.Commit();
        return thrown;
    }

    [Fact]
    public void A_write_that_fails_part_way_through_a_chunk_fails_the_transaction_with_its_own_failure()
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs, TestDatabases.Quiet());
        db.SpillLeavesAfter = 64; // the chunk's leaves are written out early, where the disk fails
        var users = new UserCollection(db) { BulkChunk = 4_096 }; // one chunk
        var failing = false;
        fs.Fault = point => failing && point.Kind == FaultKind.Write && point.Path == db.Path
            ? new IOException("The disk failed.")
            : null;
        using (var tx = db.BeginWrite())
        {
            tx.CreateKeyspace("promotes");
            failing = true;

            // Not taken back and written one by one: the transaction may hold a half-done change, and refuses more.
            var documents = Enumerable.Range(0, 3_000).Select(NewUser).ToList();
            var failure = Assert.Throws<StorageException>(() => users.InsertMany(documents, tx));
            Assert.Equal("The disk failed.", failure.InnerException?.Message);
            Assert.Equal(0, users.BulkInserted);
            Assert.Equal(ErrorCode.TransactionFailed, Assert.Throws<TransactionStateException>(tx.Commit).Code);
            failing = false;
        }

        Assert.Equal(0, users.Count());
        Assert.Empty(users.CheckConsistency());
    }

    [Theory]
    [InlineData(512)]
    [InlineData(0)]
    public void In_a_failed_transaction_a_chunk_reports_the_failure_before_a_later_documents_getter_throws(int bulkChunk)
    {
        var fs = new SimulatedFileSystem();
        using var db = TestDatabases.Open(fs, TestDatabases.Quiet());
        db.SpillLeavesAfter = 64;
        var parts = new PartCollection(db) { BulkChunk = bulkChunk };
        var failing = false;
        fs.Fault = point => failing && point.Kind == FaultKind.Write && point.Path == db.Path
            ? new IOException("The disk failed.")
            : null;
        using var tx = db.BeginWrite();
        tx.CreateKeyspace("promotes");
        failing = true;
        Assert.Throws<StorageException>(() => parts.InsertMany(Enumerable.Range(0, 10_000).Select(NewPart).ToList(), tx));
        failing = false;

        // One by one, the first document meets the failed transaction; the getter that throws is a later document's.
        var documents = Enumerable.Range(10_000, 600).Select(i => i == 10_400 ? new Part { Id = i, Code = Part.GetterThrows } : NewPart(i)).ToList();
        var refused = Assert.Throws<TransactionStateException>(() => parts.InsertMany(documents, tx));
        Assert.Equal(ErrorCode.TransactionFailed, refused.Code);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // the documents without an expiry of their own get the default lifetime, stored apart
    public async Task Documents_inserted_in_bulk_get_the_expiry_entries_the_collector_goes_by(bool defaultLifetime)
    {
        var lifetime = defaultLifetime ? TimeSpan.FromMinutes(30) : (TimeSpan?)null;
        var (users, oneByOne) = OpenUsers(bulkChunk: 1_024, lifetime);
        var documents = Enumerable.Range(0, 3_000).Select(NewUser).ToList();
        InsertMany(users, documents, callers: true);
        InsertMany(oneByOne, documents, callers: true);
        Assert.Equal(3_000, users.BulkInserted);
        Assert.Equal(Trees(oneByOne.Database, "users"), Trees(users.Database, "users"));

        _time.Advance(TimeSpan.FromMinutes(20));
        var expired = documents.Count(u => u.ExpiresAt <= _time.GetUtcNow());
        Assert.InRange(expired, 1, documents.Count - 1);
        Assert.Equal(expired, await users.Database.CollectExpiredAsync());
        Assert.Equal(documents.Count - expired, users.Count());
        var now = _time.GetUtcNow();
        Assert.All(documents, u => Assert.Equal(u.ExpiresAt is null || u.ExpiresAt > now, users.Get(u.Id) is not null));
        Assert.Equal(expired, await oneByOne.Database.CollectExpiredAsync());
        Assert.Equal(Trees(oneByOne.Database, "users"), Trees(users.Database, "users"));

        _time.Advance(TimeSpan.FromMinutes(30)); // past the default lifetime, and every document's own expiry
        var rest = documents.Count(u => u.ExpiresAt is not null || defaultLifetime) - expired;
        Assert.Equal(rest, await users.Database.CollectExpiredAsync());
        Assert.Equal(defaultLifetime ? 0 : documents.Count(u => u.ExpiresAt is null), users.Count());
        Assert.Empty(users.CheckConsistency());
        TestDatabases.AssertConsistent(users.Database);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Inserting_over_an_expired_document_or_taking_its_unique_value_succeeds_as_a_single_insert_does(bool defaultLifetime)
    {
        var lifetime = defaultLifetime ? TimeSpan.FromSeconds(1) : (TimeSpan?)null;
        var (users, oneByOne) = OpenUsers(bulkChunk: 256, lifetime);
        var expiring = defaultLifetime ? (DateTimeOffset?)null : Start + TimeSpan.FromSeconds(1);
        foreach (var collection in new[] { users, oneByOne })
        {
            collection.Insert(new User { Id = 5, Email = "old5", ExpiresAt = expiring });
            collection.Insert(new User { Id = 100_000, Email = "u700@x", ExpiresAt = expiring }); // a value document 700 takes
            collection.Insert(new User { Id = 100_001, Email = "live", ExpiresAt = Start + TimeSpan.FromDays(1) });
        }

        _time.Advance(TimeSpan.FromSeconds(2));
        var documents = Enumerable.Range(0, 1_024).Select(NewUser).ToList();
        InsertMany(users, documents, callers: true);
        InsertMany(oneByOne, documents, callers: true);

        // Chunks of 256: [0, 256) holds key 5, whose run ends there (5 documents in bulk, the rest of the chunk one by
        // one); [512, 768) holds the value of 100,000, whose run ends at 700 (188 in bulk); the other two go in bulk.
        Assert.Equal(5 + 256 + 188 + 256, users.BulkInserted);
        Assert.Equal(Trees(oneByOne.Database, "users"), Trees(users.Database, "users"));
        Assert.Equal("u5@x", users.Get(5)?.Email);
        Assert.Equal(700, users.ByEmail.Get("u700@x")?.Id);
        Assert.Null(users.ByEmail.Get("old5"));
        using (var read = users.Database.BeginRead())
        {
            Assert.Equal(1_025, read.Count(read.GetKeyspace("users"))); // the expired holder of "u700@x" was deleted
        }

        Assert.Equal(1_025, users.Count());
        Assert.Empty(users.CheckConsistency());
        TestDatabases.AssertConsistent(users.Database);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task InsertManyAsync_puts_chunks_in_bulk_and_refuses_as_InsertMany_does(bool callers)
    {
        var (users, oneByOne) = OpenUsers(bulkChunk: 512);
        var documents = Enumerable.Range(0, 1_500).Select(NewUser).ToList(); // two chunks of 512 and a remainder of 476
        foreach (var collection in new[] { users, oneByOne })
        {
            if (callers)
            {
                using var tx = collection.Database.BeginWrite();
                tx.CreateKeyspace("promotes");
                await collection.InsertManyAsync(documents, tx);
                await tx.CommitAsync();
            }
            else
            {
                await collection.InsertManyAsync(documents);
            }
        }

        if (callers)
        {
            Assert.Equal(1_500, users.BulkInserted);
        }
        else
        {
            Assert.InRange(users.BulkInserted, 1_500 - FirstOneByOne, 1_500 - 1);
        }

        Assert.Equal(Trees(oneByOne.Database, "users"), Trees(users.Database, "users"));
        AssertReads(users, documents);

        // A key taken twice in a chunk: the documents before the second are written, none after it.
        var bulkBefore = users.BulkInserted;
        var more = Enumerable.Range(2_000, 1_000).Select(NewUser).Select(u => u.Id == 2_700 ? NewUser(2_100) : u).ToList();
        using (var tx = users.Database.BeginWrite())
        {
            tx.CreateKeyspace("more");
            var duplicate = await Assert.ThrowsAsync<DocumentException>(() => users.InsertManyAsync(more, tx));
            Assert.Equal(ErrorCode.DuplicateKey, duplicate.Code);
            Assert.Equal(1_500 + 700, users.Count(tx));
            Assert.NotNull(users.Get(2_699, tx));
            Assert.Null(users.Get(2_701, tx));
            Assert.Empty(users.CheckConsistency(tx));
        }

        Assert.Equal(512 + 188, users.BulkInserted - bulkBefore); // [2,000, 2,512) in bulk, then [2,512, 2,700)
    }

    private Database OpenInMemory(TimeSpan? lifetime = null)
    {
        var options = new DatabaseOptions { TimeProvider = _time };
        options.Ttl.RunCollectorInBackground = false;
        if (lifetime is not null)
        {
            options.Collections["users"] = new CollectionOptions { DefaultTimeToLive = lifetime };
        }

        var database = Database.OpenInMemory(options);
        _databases.Add(database);
        return database;
    }

    /// <summary>Users in chunks of <paramref name="bulkChunk"/>, and in another database, one by one.</summary>
    private (UserCollection Users, UserCollection OneByOne) OpenUsers(int bulkChunk, TimeSpan? lifetime = null) =>
        (new UserCollection(OpenInMemory(lifetime)) { BulkChunk = bulkChunk },
            new UserCollection(OpenInMemory(lifetime)) { BulkChunk = 0 });

    private PartCollection OpenParts(int bulkChunk)
    {
        var parts = new PartCollection(OpenInMemory()) { BulkChunk = bulkChunk };
        parts.Insert(new Part { Id = -1, Code = "taken", Tag = "t" });
        return parts;
    }

    /// <summary>A user whose expiry (on one in three) lies 1 to 40 minutes after <see cref="Start"/>.</summary>
    private static User NewUser(int i) => new()
    {
        Id = i,
        Email = $"u{i}@x",
        Age = i % 50,
        Name = "n" + i,
        ExpiresAt = i % 3 == 0 ? Start + TimeSpan.FromMinutes(1 + (i % 40)) : null,
    };

    /// <summary>A part whose expiry (on even keys) lies an hour after <see cref="Start"/>.</summary>
    private static Part NewPart(int i) => new()
    {
        Id = i,
        Code = $"c{i}",
        Tag = $"t{i % 7}",
        ExpiresAt = i % 2 == 0 ? Start + TimeSpan.FromHours(1) : null,
    };

    private static IEnumerable<T> As<T>(List<T> documents, Sequence sequence) => sequence switch
    {
        Sequence.List => documents,
        Sequence.ReadOnlyCollection => new Counted<T>(documents, documents.Count),
        _ => documents.Select(d => d),
    };

    private static void InsertMany(UserCollection users, IEnumerable<User> documents, bool callers)
    {
        if (!callers)
        {
            users.InsertMany(documents);
            return;
        }

        using var tx = users.Database.BeginWrite();
        tx.CreateKeyspace("promotes"); // a keyspace change moves the transaction to its private tree
        users.InsertMany(documents, tx);
        tx.Commit();
    }

    /// <summary>Every read path finds every document, by key and by each index, and the collection is consistent.</summary>
    private static void AssertReads(UserCollection users, List<User> documents)
    {
        Assert.Equal(documents.Count, users.Count());
        foreach (var user in documents.Where(u => u.Id % 97 == 0))
        {
            var stored = users.Get(user.Id);
            Assert.Equal((user.Email, user.Age, user.Name, user.ExpiresAt), (stored?.Email, stored?.Age, stored?.Name, stored?.ExpiresAt));
            Assert.Equal(user.Id, users.ByEmail.Get(user.Email)?.Id);
        }

        for (var age = 0; age < 50; age += 7)
        {
            var expected = documents.Where(u => u.Age == age).Select(u => u.Id).Order().ToList();
            Assert.Equal(expected.Count, users.ByAge.Count(age));
            Assert.Equal(expected, users.ByAge.Find(age).Select(u => u.Id));
            Assert.Equal(expected, users.Query().Where(u => u.Age.Is(age)).Select(u => u.Id));
        }

        Assert.Equal(documents.Count(u => u.Age >= 40), users.Query().Where(u => u.Age.AtLeast(40)).Count());
        Assert.Empty(users.CheckConsistency());
        TestDatabases.AssertConsistent(users.Database);
    }

    /// <summary>Every key and value of the collection's trees (documents, indexes, expiries), one line each.</summary>
    private static List<string> Trees(Database database, string collection)
    {
        using var read = database.BeginRead();
        return Trees(read, collection);
    }

    private static List<string> Trees(Transaction transaction, string collection) =>
    [
        .. transaction.GetKeyspaces()
            .Where(k => k.Name == collection || k.Name.StartsWith(collection + "#", StringComparison.Ordinal))
            .SelectMany(k => transaction.Scan(k).Select(e => $"{k.Name} {Convert.ToHexString(e.Key)} {Convert.ToHexString(e.Value)}")),
    ];

    private sealed class EnumerationFailedException() : Exception("The sequence failed.");
}
