using Persistence.Collections;
using Persistence.Testing;
using Persistence.Tests.Collections;

namespace Persistence.Tests.Regressions;

/// <summary>
/// The build of indexes at a collection's construction (commit 1792cd9): an expiry index whose build a crash cut short
/// was trusted empty at the next open, so expired documents were never collected; a second instance constructed while
/// the first was building dropped the keyspace the first held, which then failed with KeyspaceNotFound; a unique
/// index could not be built while an expired document held a value a live one holds too; and an expiry index left
/// unmaintained while expiries were not in force came back with stale entries, by which the collector deleted live
/// documents. Later: the expiry index's record did not say whether its entries came from the expiry member, so a
/// version that removed the member while stored expiries were in force kept the member's entries (the collector
/// deleted documents that no longer expire), and one that declared it kept an index without them.
/// </summary>
public sealed class IndexBuildTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);

    [Fact]
    public async Task A_crash_between_the_constructor_commits_leaves_the_expiry_index_to_build_at_the_next_open()
    {
        var failures = new List<string>();
        var crashes = 0;
        for (var at = 0; at < 200; at++)
        {
            var time = new FakeTimeProvider(Start);
            var options = Options(time);
            var fs = new SimulatedFileSystem();
            using (var db = TestDatabases.Open(fs, options))
            {
                new Users(db, expires: false, "Email", "Age").InsertMany(Enumerable.Range(0, 20).Select(i =>
                    new User { Id = i, Email = $"u{i}@example.com", Age = i, ExpiresAt = Start + TimeSpan.FromSeconds(i) }));
                fs.CrashAtOperation = fs.Operations + at;
                try
                {
                    _ = new Users(db, expires: true, "Email", "Age");
                }
                catch (Exception ex) when (ex is PersistenceException or IOException)
                {
                }
            }

            if (!fs.Crashed)
            {
                break; // every crash point of the construction was tried
            }

            crashes++;
            using var recovered = TestDatabases.Open(fs.AfterCrash(CrashMode.KeepAll, new Random(at)), options);
            var users = new Users(recovered, expires: true, "Email", "Age");
            var problems = users.CheckConsistency();
            time.Advance(TimeSpan.FromSeconds(10)); // eleven of the twenty expire (0 s to 10 s)
            var collected = await recovered.CollectExpiredAsync();
            if (problems.Count > 0 || collected != 11 || users.Count() != 9)
            {
                failures.Add($"crash at {at}: collected {collected}, {users.Count()} left; {string.Join("; ", problems.Take(2))}");
            }
        }

        Assert.True(crashes > 1, "the construction never crashed");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void A_second_instance_constructed_while_the_first_builds_an_index_shares_the_build()
    {
        using var db = Database.OpenInMemory();
        new Users(db, expires: true).InsertMany(Enumerable.Range(0, 50).Select(i => new User { Id = i, Email = $"u{i}@example.com", Age = i % 5 }));
        Users? second = null;
        var once = 0;

        // The first instance's build decodes the documents after its first commit: the second is constructed then.
        var first = new Users(db, expires: true, ["Email", "Age"], onDecode: () =>
        {
            if (Interlocked.Exchange(ref once, 1) == 0)
            {
                second = new Users(db, expires: true, "Email", "Age");
            }
        });

        Assert.NotNull(second);
        first.Insert(new User { Id = 50, Email = "new@example.com", Age = 1 });
        second.Delete(0);
        Assert.Empty(first.CheckConsistency());
        var users = new UserCollection(db);
        Assert.Equal(50, users.Count());
        Assert.Equal(50, users.ByEmail.Get("new@example.com")?.Id);
        Assert.Equal(9, users.ByAge.Count(0));
    }

    [Fact]
    public void An_expired_document_gives_up_a_unique_value_to_a_live_one_when_the_index_is_built()
    {
        using var db = Database.OpenInMemory(new DatabaseOptions { TimeProvider = _time });
        var plain = new Users(db, expires: true, "Age");
        plain.Insert(new User { Id = 1, Email = "same@example.com", ExpiresAt = Start + TimeSpan.FromSeconds(1) });
        plain.Insert(new User { Id = 2, Email = "other@example.com", ExpiresAt = Start + TimeSpan.FromSeconds(1) });
        plain.Insert(new User { Id = 3, Email = "other@example.com", ExpiresAt = Start + TimeSpan.FromSeconds(1) });
        _time.Advance(TimeSpan.FromSeconds(2));
        plain.Insert(new User { Id = 4, Email = "same@example.com" });
        Assert.Equal(1, plain.Count());

        var users = new UserCollection(db);

        Assert.Empty(users.CheckConsistency());
        Assert.Equal(4, users.ByEmail.Get("same@example.com")?.Id);
        Assert.Null(users.ByEmail.Get("other@example.com"));
        Assert.Equal(1, users.Count());
        var refused = Assert.Throws<UniqueConstraintException>(() => users.Insert(new User { Id = 5, Email = "same@example.com" }));
        Assert.Equal("Email", refused.Index);
    }

    [Fact]
    public void Repair_deletes_an_expired_document_holding_the_unique_value_of_a_live_one()
    {
        using var db = Database.OpenInMemory(new DatabaseOptions { TimeProvider = _time });
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "same@example.com", ExpiresAt = Start + TimeSpan.FromSeconds(1) });
        var expired = db.Write(tx => tx.Get(tx.GetKeyspace("users"), users.EncodeKey(1))!);
        users.Delete(1);
        _time.Advance(TimeSpan.FromSeconds(2));
        users.Insert(new User { Id = 2, Email = "same@example.com" });
        db.Write(tx => tx.Put(tx.GetKeyspace("users"), users.EncodeKey(1), expired)); // under the indexes' back
        Assert.NotEmpty(users.CheckConsistency());

        Assert.True(users.RepairIndexes() > 0);

        Assert.Empty(users.CheckConsistency());
        Assert.Equal(2, users.ByEmail.Get("same@example.com")?.Id);
        Assert.Equal(1, users.Count());
        Assert.Equal(0, users.RepairIndexes());
    }

    [Fact]
    public async Task An_expiry_index_left_unmaintained_while_expiries_were_not_in_force_is_built_afresh()
    {
        var fs = new SimulatedFileSystem();
        var options = Options(_time);
        using (var db = TestDatabases.Open(fs, options))
        {
            new Users(db, expires: true, "Email").Insert(new User { Id = 1, Email = "a@example.com", ExpiresAt = Start + TimeSpan.FromSeconds(10) });
        }

        using (var db = TestDatabases.Open(fs, options))
        {
            // A version of the application without the expiry member's attribute: the document is rewritten immortal.
            new Users(db, expires: false, "Email").Update(new User { Id = 1, Email = "a@example.com", ExpiresAt = null });
        }

        using (var db = TestDatabases.Open(fs, options))
        {
            var users = new Users(db, expires: true, "Email");
            _time.Advance(TimeSpan.FromSeconds(20));

            Assert.Equal(0, await db.CollectExpiredAsync());
            Assert.Equal(1, users.Count());
            Assert.Empty(users.CheckConsistency());
        }
    }

    [Fact]
    public async Task An_expiry_index_built_from_a_member_since_removed_is_built_again_while_stored_expiries_are_in_force()
    {
        var fs = new SimulatedFileSystem();
        using (var db = TestDatabases.Open(fs, Options(_time)))
        {
            new Users(db, expires: true, "Email").Insert(new User { Id = 1, Email = "a@example.com", ExpiresAt = Start + TimeSpan.FromSeconds(10) });
        }

        using (var db = TestDatabases.Open(fs, Options(_time, TimeSpan.FromDays(1))))
        {
            _ = new Users(db, expires: true, "Email"); // a version with a default lifetime: stored expiries are in force from now on
        }

        using (var db = TestDatabases.Open(fs, Options(_time, TimeSpan.FromDays(1))))
        {
            // A version without the member: document 1 has no stored expiry and no member, so it never expires.
            var users = new Users(db, expires: false, "Email");
            _time.Advance(TimeSpan.FromSeconds(20));

            Assert.Empty(users.CheckConsistency());
            Assert.Equal(0, await db.CollectExpiredAsync());
            Assert.NotNull(users.Get(1));
            Assert.Equal(1, users.Count());
            Assert.Equal([1L], db.Write(tx => users.All(tx).Select(u => u.Id).ToList()));
        }
    }

    [Fact]
    public async Task An_expiry_index_built_without_the_member_is_built_again_when_the_member_is_declared()
    {
        var fs = new SimulatedFileSystem();
        using (var db = TestDatabases.Open(fs, Options(_time, TimeSpan.FromDays(1))))
        {
            _ = new Users(db, expires: false, "Email"); // a default lifetime without the member: stored expiries are in force
        }

        using (var db = TestDatabases.Open(fs, Options(_time)))
        {
            // No default lifetime any more, and no member: written with no expiry, though the value is stored.
            new Users(db, expires: false, "Email").Insert(new User { Id = 1, Email = "a@example.com", ExpiresAt = Start + TimeSpan.FromSeconds(10) });
        }

        using (var db = TestDatabases.Open(fs, Options(_time)))
        {
            // A version that declares the member: document 1 expires by its value.
            var users = new Users(db, expires: true, "Email");
            _time.Advance(TimeSpan.FromSeconds(20));

            Assert.Empty(users.CheckConsistency());
            Assert.Null(users.Get(1));
            Assert.Equal(0, users.Count());
            Assert.Equal(1, await db.CollectExpiredAsync());
            Assert.Empty(users.CheckConsistency());
        }
    }

    [Fact]
    public async Task An_expiry_index_recorded_by_the_previous_release_beside_stored_expiries_is_built_again()
    {
        var fs = new SimulatedFileSystem();
        using (var db = TestDatabases.Open(fs, Options(_time)))
        {
            new Users(db, expires: true, "Email").Insert(new User { Id = 1, Email = "a@example.com", ExpiresAt = Start + TimeSpan.FromSeconds(10) });
        }

        using (var db = TestDatabases.Open(fs, Options(_time, TimeSpan.FromDays(1))))
        {
            _ = new Users(db, expires: true, "Email");

            // What the previous release recorded, which does not say whether the entries came from the member: here they
            // did, and the next version removes it.
            db.Write(tx => tx.Put(tx.GetKeyspace("users#$indexes"), "$expiry"u8, "2|expiry|Int64"u8));
        }

        using (var db = TestDatabases.Open(fs, Options(_time, TimeSpan.FromDays(1))))
        {
            var users = new Users(db, expires: false, "Email");
            _time.Advance(TimeSpan.FromSeconds(20));

            Assert.Empty(users.CheckConsistency());
            Assert.Equal(0, await db.CollectExpiredAsync());
            Assert.Equal(1, users.Count());
        }
    }

    [Fact]
    public void An_expiry_index_recorded_by_the_previous_release_without_stored_expiries_is_trusted_and_recorded_again()
    {
        var fs = new SimulatedFileSystem();
        using (var db = TestDatabases.Open(fs, Options(_time)))
        {
            new Users(db, expires: true, "Email").Insert(new User { Id = 1, Email = "a@example.com", ExpiresAt = Start + TimeSpan.FromSeconds(10) });
            db.Write(tx => tx.Put(tx.GetKeyspace("users#$indexes"), "$expiry"u8, "2|expiry|Int64"u8)); // as the previous release recorded
        }

        using (var db = TestDatabases.Open(fs, Options(_time)))
        {
            // Only versions with the member maintained it (one without it and without stored expiries deletes it): no build.
            var decoded = 0;
            var users = new Users(db, expires: true, ["Email"], onDecode: () => decoded++);

            Assert.Equal(0, decoded);
            using var read = db.BeginRead();
            Assert.Equal("2|expiry|Int64|member", System.Text.Encoding.UTF8.GetString(read.Get(read.GetKeyspace("users#$indexes"), "$expiry"u8)!));
            Assert.Empty(users.CheckConsistency());
        }
    }

    [Fact]
    public void An_index_recorded_without_its_keyspace_is_built_again()
    {
        using var db = Database.OpenInMemory();
        new UserCollection(db).Insert(new User { Id = 1, Email = "a@example.com", Age = 3 });
        db.Write(tx => tx.DeleteKeyspace(tx.GetKeyspace("users#Age")));

        var users = new UserCollection(db);

        Assert.Empty(users.CheckConsistency());
        Assert.Single(users.ByAge.Find(3));
    }

    private static DatabaseOptions Options(FakeTimeProvider time, TimeSpan? defaultLifetime = null)
    {
        var options = TestDatabases.Quiet();
        options.TimeProvider = time;
        options.Ttl.RunCollectorInBackground = false;
        if (defaultLifetime is { } lifetime)
        {
            options.Collections["users"] = new CollectionOptions { DefaultTimeToLive = lifetime };
        }

        return options;
    }

    /// <summary>"users" as a version of the application declares it: with or without its expiry member, with some of its indexes.</summary>
    private sealed class Users(Database database, bool expires, string[] indexes, Action? onDecode = null)
        : Collection<User, long>(database, new HookedUserSchema(expires, [.. UserSchema.Instance.Indexes.Where(i => indexes.Contains(i.Name))], onDecode))
    {
        public Users(Database database, bool expires, params string[] indexes)
            : this(database, expires, indexes, null)
        {
        }
    }
}
