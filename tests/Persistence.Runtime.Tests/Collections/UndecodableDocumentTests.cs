using Persistence.Collections;
using Persistence.Testing;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Collections;

/// <summary>
/// A stored document whose bytes are intact but that its type cannot decode (bytes past its end, or a value of another
/// shape) is removed by <c>Delete(key)</c> with every index and expiry entry naming it, found by reading each index
/// whole. Delete, Upsert and RepairIndexes all threw <see cref="PersistenceSerializationException"/> for it, and only a
/// raw key-value delete got rid of it. A replacing write and a repair still refuse it, naming the key and the way out;
/// an insert refuses its key as a duplicate, as for any other document (it threw the replacing write's refusal);
/// <c>CheckConsistency</c> reports each such document once, not its entries besides.
/// </summary>
public sealed class UndecodableDocumentTests
{
    private static readonly DateTimeOffset Expires = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Keyspaces = ["users", "users#Email", "users#Age", "users#$expiry"];

    [Fact]
    public void Delete_removes_an_undecodable_document_with_every_entry_naming_it()
    {
        var logger = new CapturingLogger();
        using var db = Database.OpenInMemory(new DatabaseOptions { Logger = logger });
        var users = Seed(db);
        Damage(db, 2, stored => [.. stored, 0xC0]); // a nil after the map

        Assert.True(users.Delete(2));

        Assert.Empty(users.CheckConsistency());
        Assert.Equal([2, 2, 2, 2], Counts(db)); // users 1 and 3 keep theirs
        Assert.Null(users.Get(2));
        Assert.Contains(logger.Entries, e => e.Event.Id == 18 && e.Level == Microsoft.Extensions.Logging.LogLevel.Warning
            && e.Message.Contains("users", StringComparison.Ordinal));
        users.Insert(new User { Id = 4, Email = "b@example.com", Age = 41 }); // the unique value is free again
        Assert.Empty(users.CheckConsistency());
    }

    [Fact]
    public void Delete_removes_a_document_stored_in_another_shape()
    {
        using var db = Database.OpenInMemory();
        var users = Seed(db);
        Damage(db, 2, _ => [0x93, 0x01, 0x02, 0x03]); // an array of three integers, not the User map

        Assert.Throws<PersistenceSerializationException>(() => users.Get(2));
        Assert.True(users.Delete(2));

        Assert.Empty(users.CheckConsistency());
        Assert.Equal([2, 2, 2, 2], Counts(db));
    }

    [Fact]
    public void Delete_in_the_callers_transaction_commits_or_rolls_back_with_it()
    {
        using var db = Database.OpenInMemory();
        var users = Seed(db);
        Damage(db, 2, stored => [.. stored, 0xC0]);

        using (var tx = db.BeginWrite())
        {
            Assert.True(users.Delete(2, tx));
            Assert.False(users.Delete(2, tx));
            Assert.Empty(users.CheckConsistency(tx));
            tx.Rollback();
        }

        Assert.Equal([3, 3, 3, 3], Counts(db)); // the document and its entries, as they were
        Assert.Single(users.CheckConsistency());

        using (var tx = db.BeginWrite())
        {
            Assert.True(users.Delete(2, tx));
            users.Insert(new User { Id = 5, Email = "b@example.com", Age = 7 }, tx);
            tx.Commit();
        }

        Assert.Empty(users.CheckConsistency());
        Assert.Equal([3, 3, 3, 2], Counts(db)); // user 5 has no expiry
        Assert.Equal(5, users.ByEmail.Get("b@example.com")!.Id);
    }

    [Fact]
    public void A_crash_keeps_a_committed_delete_and_drops_an_uncommitted_one()
    {
        var fs = new SimulatedFileSystem();
        var db = Open(fs, Quiet());
        var users = Seed(db);
        Damage(db, 2, stored => [.. stored, 0xC0]);
        Damage(db, 3, stored => [.. stored, 0xC0]);
        db.Write(tx => users.Delete(3, tx), durability: Durability.Durable);
        var pending = db.BeginWrite();
        Assert.True(users.Delete(2, pending)); // never committed

        var afterPowerFailure = fs.AfterCrash(CrashMode.DropUnsynced, new Random(1));
        pending.Dispose();
        db.Dispose();
        using var recovered = Open(afterPowerFailure, Quiet());
        var reopened = new UserCollection(recovered);

        Assert.Equal([2, 2, 2, 2], Counts(recovered)); // user 3 and its entries gone; user 2 and its entries kept
        var problem = Assert.Single(reopened.CheckConsistency());
        Assert.Contains("cannot be decoded", problem, StringComparison.Ordinal);
        AssertConsistent(recovered);
    }

    [Fact]
    public void Delete_removes_the_stored_expiry_of_a_default_lifetime()
    {
        var options = new DatabaseOptions();
        options.Collections["users"] = new CollectionOptions { DefaultTimeToLive = TimeSpan.FromDays(1) };
        using var db = Database.OpenInMemory(options);
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com", Age = 30 });
        users.Insert(new User { Id = 2, Email = "b@example.com", Age = 30 });
        Damage(db, 2, stored => [.. stored, 0xC0]);

        Assert.True(users.Delete(2));

        Assert.Empty(users.CheckConsistency());
        using var read = db.BeginRead();
        Assert.Equal(1, read.Count(read.GetKeyspace("users#$expires")));
        Assert.Equal(1, read.Count(read.GetKeyspace("users#$expiry")));
    }

    [Fact]
    public void The_collector_deletes_an_expired_undecodable_document_with_its_entries()
    {
        using var db = Database.OpenInMemory();
        var users = Seed(db);
        Damage(db, 2, stored => [.. stored, 0xC0]);

        var collected = ((Persistence.Ttl.ITtlCollection)users).CollectExpired(10, Expires); // users 1 and 2 expire then

        Assert.Equal(2, collected);
        Assert.Equal([1, 1, 1, 1], Counts(db));
        Assert.Empty(users.CheckConsistency());
    }

    [Fact]
    public void The_collector_deletes_several_expired_undecodable_documents_in_one_read_of_the_indexes_each_with_its_entries()
    {
        var logger = new CapturingLogger();
        using var db = Database.OpenInMemory(new DatabaseOptions { Logger = logger });
        var users = Seed(db);
        Damage(db, 1, stored => [.. stored, 0xC0]);
        Damage(db, 2, _ => [0x01]);

        var collected = ((Persistence.Ttl.ITtlCollection)users).CollectExpired(10, Expires); // users 1 and 2 expire then

        Assert.Equal(2, collected);
        Assert.Equal([1, 1, 1, 1], Counts(db));
        Assert.Empty(users.CheckConsistency());

        // Each logged once, with the entries naming it: its Email, Age and expiry entries.
        var deleted = logger.Entries.Where(e => e.Event.Id == 18).Select(e => e.Message).ToList();
        Assert.Equal(2, deleted.Count);
        Assert.Contains(deleted, m => m.Contains("key 1 (0x", StringComparison.Ordinal) && m.Contains("the 3 index", StringComparison.Ordinal));
        Assert.Contains(deleted, m => m.Contains("key 2 (0x", StringComparison.Ordinal) && m.Contains("the 3 index", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_reports_each_undecodable_document_once_with_its_key_and_goes_on()
    {
        using var db = Database.OpenInMemory();
        var users = Seed(db);
        Damage(db, 1, stored => [.. stored, 0xC0]);
        Damage(db, 3, _ => [0x01]);

        var problems = users.CheckConsistency();

        Assert.Equal(2, problems.Count); // not the entries naming them besides
        Assert.All(problems, p => Assert.Contains("cannot be decoded", p, StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Document 1 (0x", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Document 3 (0x", StringComparison.Ordinal));
        Assert.All(problems, p => Assert.Contains("Delete(key)", p, StringComparison.Ordinal));
    }

    [Fact]
    public void Upsert_and_Update_refuse_an_undecodable_document_naming_the_key_and_the_way_out()
    {
        using var db = Database.OpenInMemory();
        var users = Seed(db);
        Damage(db, 2, stored => [.. stored, 0xC0]);
        var replacement = new User { Id = 2, Email = "new@example.com", Age = 99 };

        var upsert = Assert.Throws<PersistenceSerializationException>(() => users.Upsert(replacement));
        var update = Assert.Throws<PersistenceSerializationException>(() => users.Update(replacement));
        using (var tx = db.BeginWrite())
        {
            Assert.Throws<PersistenceSerializationException>(() => users.Upsert(replacement, tx));
            Assert.True(tx.IsActive); // refused before anything was written
        }

        foreach (var error in new[] { upsert, update })
        {
            Assert.Equal(ErrorCode.SerializationError, error.Code);
            Assert.Contains("key 2 (0x", error.Message, StringComparison.Ordinal);
            Assert.Contains("Delete(key)", error.Message, StringComparison.Ordinal);
            Assert.IsType<PersistenceSerializationException>(error.InnerException);
        }

        Assert.Equal([3, 3, 3, 3], Counts(db));
        Assert.True(users.Delete(2));
        Assert.True(users.Upsert(replacement));
        Assert.Empty(users.CheckConsistency());
    }

    [Fact]
    public void Insert_refuses_an_undecodable_document_as_a_duplicate_key_and_writes_nothing()
    {
        using var db = Database.OpenInMemory();
        var users = Seed(db);
        Damage(db, 2, stored => [.. stored, 0xC0]);
        var copy = new User { Id = 2, Email = "new@example.com", Age = 99 };

        var own = Assert.Throws<DocumentException>(() => users.Insert(copy));
        var many = Assert.Throws<DocumentException>(() => users.InsertMany([new User { Id = 7, Email = "g@example.com", Age = 7 }, copy]));
        using (var tx = db.BeginWrite())
        {
            Assert.Equal(ErrorCode.DuplicateKey, Assert.Throws<DocumentException>(() => users.Insert(copy, tx)).Code); // a small transaction
            tx.CreateKeyspace("scratch"); // a large one: the insert puts before it looks the key up
            Assert.Equal(ErrorCode.DuplicateKey, Assert.Throws<DocumentException>(() => users.Insert(copy, tx)).Code);
            var taken = new User { Id = 2, Email = "a@example.com", Age = 1 }; // user 1's email: the key is reported first
            Assert.Equal(ErrorCode.DuplicateKey, Assert.Throws<DocumentException>(() => users.Insert(taken, tx)).Code);
            Assert.True(tx.IsActive);
            Assert.Null(users.ByEmail.Get("new@example.com", tx)); // the unique entry the large insert put was taken back
            Assert.Equal(3, tx.Count(tx.GetKeyspace("users#Email")));
        }

        Assert.All(new[] { own, many }, error => Assert.Equal(ErrorCode.DuplicateKey, error.Code));
        Assert.Contains("key 2 already exists", own.Message, StringComparison.Ordinal); // as for a key whose document decodes
        Assert.Equal([3, 3, 3, 3], Counts(db));
        Assert.Single(users.CheckConsistency()); // still the undecodable document, nothing else
    }

    [Fact]
    public void Insert_without_expiry_refuses_an_existing_key_without_decoding_it()
    {
        using var db = Database.OpenInMemory();
        var decodes = 0;
        var users = new Users(db, expires: false, () => decodes++, "Email", "Age");
        users.Insert(new User { Id = 1, Email = "a@example.com", Age = 30 });
        Damage(db, 1, _ => [0x01]);

        var refused = Assert.Throws<DocumentException>(() => users.Insert(new User { Id = 1, Email = "z@example.com", Age = 1 }));

        Assert.Equal(ErrorCode.DuplicateKey, refused.Code);
        Assert.Equal(0, decodes); // any stored document is live: its values are not needed to refuse it
        Assert.Equal([1, 1, 1], Counts(db, "users", "users#Email", "users#Age"));
    }

    [Fact]
    public void A_unique_value_an_undecodable_document_holds_is_taken_with_expiry_and_refused_as_any_live_one()
    {
        using var db = Database.OpenInMemory();
        var users = Seed(db);
        Damage(db, 2, stored => [.. stored, 0xC0]);
        var taker = new User { Id = 9, Email = "b@example.com", Age = 9, ExpiresAt = Expires }; // user 2's email

        var own = Assert.Throws<UniqueConstraintException>(() => users.Insert(taker));
        var upsert = Assert.Throws<UniqueConstraintException>(() => users.Upsert(new User { Id = 1, Email = "b@example.com", Age = 30, ExpiresAt = Expires }));
        using (var tx = db.BeginWrite())
        {
            Assert.Throws<UniqueConstraintException>(() => users.Insert(taker, tx)); // a small transaction
            tx.CreateKeyspace("scratch"); // a large one: the check puts the entry in the same descent
            Assert.Throws<UniqueConstraintException>(() => users.Insert(taker, tx));
            Assert.True(tx.IsActive);
            Assert.Null(users.Get(9, tx));
        }

        Assert.Contains("Email", own.Message, StringComparison.Ordinal);
        Assert.Contains("Email", upsert.Message, StringComparison.Ordinal);
        Assert.Equal([3, 3, 3, 3], Counts(db));
        Assert.Single(users.CheckConsistency()); // still the undecodable document, nothing else
        Assert.True(users.Delete(2));
        users.Insert(taker); // the value is free once the document is deleted
        Assert.Empty(users.CheckConsistency());
    }

    [Fact]
    public void RepairIndexes_refuses_an_undecodable_document_naming_the_key_and_changes_nothing()
    {
        using var db = Database.OpenInMemory();
        var users = Seed(db);
        Damage(db, 2, stored => [.. stored, 0xC0]);
        db.Write(tx => tx.Delete(tx.GetKeyspace("users#Age"), tx.Scan(tx.GetKeyspace("users#Age")).First().Key.ToArray()));

        var error = Assert.Throws<PersistenceSerializationException>(() => users.RepairIndexes());

        Assert.Contains("key 2 (0x", error.Message, StringComparison.Ordinal);
        Assert.Contains("Delete(key)", error.Message, StringComparison.Ordinal);
        Assert.Equal([3, 3, 2, 3], Counts(db));
        Assert.True(users.Delete(2));
        Assert.Equal(1, users.RepairIndexes()); // the entry removed above, put back
        Assert.Empty(users.CheckConsistency());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_new_index_over_an_undecodable_document_refuses_the_collection_naming_the_key_and_commits_nothing(bool expires)
    {
        using var db = Database.OpenInMemory();
        var before = new Users(db, expires, null, "Email");
        for (var id = 1; id <= 3; id++)
        {
            before.Insert(new User { Id = id, Email = $"{id}@example.com", Age = 20 + id, ExpiresAt = Expires });
        }

        Damage(db, 2, stored => [.. stored, 0xC0]);

        var refused = Assert.Throws<PersistenceSerializationException>(() => new Users(db, expires, null, "Email", "Age"));

        Assert.Equal(ErrorCode.SerializationError, refused.Code);
        Assert.Contains("key 2 (0x", refused.Message, StringComparison.Ordinal);
        Assert.Contains("index Age cannot be built and the collection cannot be constructed", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Delete(key)", refused.Message, StringComparison.Ordinal);
        Assert.Contains("CheckConsistency()", refused.Message, StringComparison.Ordinal);
        Assert.IsType<PersistenceSerializationException>(refused.InnerException);
        using (var read = db.BeginRead())
        {
            Assert.False(read.TryGetKeyspace("users#Age", out var age) && read.Count(age) > 0); // no half-built index
            Assert.False(read.TryGet(read.GetKeyspace("users#$indexes"), "Age"u8, out _)); // nor recorded as built
        }

        Assert.True(before.Delete(2));
        var after = new Users(db, expires, null, "Email", "Age");
        Assert.Empty(after.CheckConsistency());
        Assert.Equal([2, 2, 2], Counts(db, "users", "users#Email", "users#Age"));
        Assert.Equal(0, after.RepairIndexes());
    }

    /// <summary>Three users with a unique email, an age and an expiry each.</summary>
    private static UserCollection Seed(Database db)
    {
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com", Age = 30, ExpiresAt = Expires });
        users.Insert(new User { Id = 2, Email = "b@example.com", Age = 30, ExpiresAt = Expires });
        users.Insert(new User { Id = 3, Email = "c@example.com", Age = 40, ExpiresAt = Expires.AddDays(1) });
        return users;
    }

    /// <summary>Rewrites user <paramref name="id"/>'s stored bytes through the key-value API, durably.</summary>
    private static void Damage(Database db, long id, Func<byte[], byte[]> rewrite) => db.Write(tx =>
    {
        var documents = tx.GetKeyspace("users");
        var stored = tx.Scan(documents).Select(e => (Key: e.Key.ToArray(), Value: e.Value.ToArray())).ElementAt((int)id - 1);
        tx.Put(documents, stored.Key, rewrite(stored.Value));
    }, durability: Durability.Durable);

    /// <summary>The entries of the documents, the Email, Age and expiry indexes.</summary>
    private static long[] Counts(Database db) => Counts(db, Keyspaces);

    private static long[] Counts(Database db, params string[] keyspaces)
    {
        using var read = db.BeginRead();
        return [.. keyspaces.Select(name => read.Count(read.GetKeyspace(name)))];
    }

    /// <summary>"users" as a version of the application declares it: with or without expiry, with the named indexes.</summary>
    private sealed class Users(Database database, bool expires, Action? onDecode, params string[] indexes)
        : Collection<User, long>(database, new HookedUserSchema(expires, [.. UserSchema.Instance.Indexes.Where(i => indexes.Contains(i.Name))], onDecode));
}
