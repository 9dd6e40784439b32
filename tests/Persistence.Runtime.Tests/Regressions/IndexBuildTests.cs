using Persistence.Collections;
using Persistence.Serialization;
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
/// deleted documents that no longer expire), and one that declared it kept an index without them. Then: the record did
/// not say which member, so a version that moved [ExpiresAt] to another member kept the entries of the first: the
/// collector deleted live documents by it and left expired ones, which every read hid.
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
    public async Task An_expiry_index_built_from_one_member_is_built_again_when_ExpiresAt_moves_to_another()
    {
        var fs = new SimulatedFileSystem();
        using (var db = TestDatabases.Open(fs, Options(_time)))
        {
            new Leases(db, "Ends").InsertMany(MixedLeases());
            Assert.Equal("2|expiry|Int64|member:Ends", Record(db, "leases"));
        }

        using (var db = TestDatabases.Open(fs, Options(_time)))
        {
            // The next version moves [ExpiresAt] to ExtendedTo: every read and the collector go by it, not by Ends.
            var leases = new Leases(db, "ExtendedTo");
            _time.Advance(TimeSpan.FromSeconds(20));

            await AssertExpiredByExtendedTo(db, leases);
        }
    }

    [Fact]
    public async Task An_expiry_index_recorded_before_members_were_named_is_built_again_when_ExpiresAt_moved()
    {
        var fs = new SimulatedFileSystem();
        using (var db = TestDatabases.Open(fs, Options(_time)))
        {
            // Code generated before the schema named its member, which records what the previous release recorded: that
            // the entries come from a member, not which.
            new Leases(db, "Ends", named: false).InsertMany(MixedLeases());
            Assert.Equal("2|expiry|Int64|member", Record(db, "leases"));
        }

        using (var db = TestDatabases.Open(fs, Options(_time)))
        {
            var leases = new Leases(db, "ExtendedTo");
            _time.Advance(TimeSpan.FromSeconds(20));

            await AssertExpiredByExtendedTo(db, leases);
        }
    }

    [Fact]
    public async Task An_expiry_index_of_a_database_written_before_records_is_built_again()
    {
        var fs = new SimulatedFileSystem();
        using (var db = TestDatabases.Open(fs, Options(_time)))
        {
            new Leases(db, "Ends").InsertMany(MixedLeases());
            db.Write(tx => tx.DeleteKeyspace(tx.GetKeyspace("leases#$indexes"))); // as written before definitions were recorded
        }

        using (var db = TestDatabases.Open(fs, Options(_time)))
        {
            // Its secondary indexes would be trusted; an expiry index that nothing says the member of is not.
            var leases = new Leases(db, "ExtendedTo");
            _time.Advance(TimeSpan.FromSeconds(20));

            await AssertExpiredByExtendedTo(db, leases);
        }
    }

    [Theory]
    [InlineData("2|expiry|Int64")] // the release before the record said where expiries come from
    [InlineData("2|expiry|Int64|member")] // the release before it named the member
    public void An_expiry_index_recorded_without_its_member_is_built_again_once_even_when_the_member_is_the_same(string earlier)
    {
        var fs = new SimulatedFileSystem();
        using (var db = TestDatabases.Open(fs, Options(_time)))
        {
            new Users(db, expires: true, "Email").Insert(new User { Id = 1, Email = "a@example.com", ExpiresAt = Start + TimeSpan.FromSeconds(10) });
            db.Write(tx => tx.Put(tx.GetKeyspace("users#$indexes"), "$expiry"u8, System.Text.Encoding.UTF8.GetBytes(earlier)));
        }

        using (var db = TestDatabases.Open(fs, Options(_time)))
        {
            // Nothing says the entries came from this member rather than one a version before had the attribute on.
            var decoded = 0;
            var users = new Users(db, expires: true, ["Email"], onDecode: () => decoded++);

            Assert.True(decoded > 0, "the expiry index was trusted, not built again");
            Assert.Equal("2|expiry|Int64|member:ExpiresAt", Record(db, "users"));
            Assert.Empty(users.CheckConsistency());
        }

        using (var db = TestDatabases.Open(fs, Options(_time)))
        {
            var version = db.GetStatistics().Version;
            _ = new Users(db, expires: true, "Email");

            Assert.Equal(version, db.GetStatistics().Version); // once: recorded with its member, it is trusted from then on
        }
    }

    [Fact]
    public void Code_generated_before_the_schema_named_its_member_keeps_the_expiry_index_it_recorded()
    {
        var fs = new SimulatedFileSystem();
        using (var db = TestDatabases.Open(fs, Options(_time)))
        {
            new Leases(db, "Ends", named: false).InsertMany(MixedLeases());
        }

        using (var db = TestDatabases.Open(fs, Options(_time)))
        {
            // Such code cannot say which member it has: it is trusted as before, or it would be built at every open.
            var version = db.GetStatistics().Version;
            var leases = new Leases(db, "Ends", named: false);

            Assert.Equal(version, db.GetStatistics().Version);
            Assert.Empty(leases.CheckConsistency());
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

    /// <summary>
    /// Leases whose two members disagree on which expire: at 20 s, by Ends 0, 1 and 4 have expired; by ExtendedTo 2, 3
    /// and 5 have.
    /// </summary>
    private static Lease[] MixedLeases()
    {
        var soon = Start + TimeSpan.FromSeconds(10);
        var late = Start + TimeSpan.FromHours(1);
        return
        [
            new() { Id = 0, Ends = soon, ExtendedTo = late },
            new() { Id = 1, Ends = soon, ExtendedTo = late },
            new() { Id = 2, Ends = late, ExtendedTo = soon },
            new() { Id = 3, Ends = late, ExtendedTo = soon },
            new() { Id = 4, Ends = soon, ExtendedTo = null },
            new() { Id = 5, Ends = null, ExtendedTo = soon },
        ];
    }

    /// <summary>At 20 s, reads, the check and the collector all go by ExtendedTo: 2, 3 and 5 expired and are deleted, no other.</summary>
    private static async Task AssertExpiredByExtendedTo(Database db, Leases leases)
    {
        Assert.Empty(leases.CheckConsistency());
        Assert.Equal(3, leases.Count());
        Assert.Equal([0L, 1L, 4L], leases.All().Select(l => l.Id));
        Assert.All(new long[] { 0, 1, 4 }, id => Assert.NotNull(leases.Get(id)));
        Assert.All(new long[] { 2, 3, 5 }, id => Assert.Null(leases.Get(id)));

        Assert.Equal(3, await db.CollectExpiredAsync());

        Assert.Empty(leases.CheckConsistency());
        Assert.Equal(3, leases.Count());
        using var read = db.BeginRead();
        Assert.Equal(3, read.Count(read.GetKeyspace("leases"))); // deleted: 2, 3 and 5, and no live one
        Assert.Equal([0L, 1L, 4L], leases.All().Select(l => l.Id));
        Assert.Equal("2|expiry|Int64|member:ExtendedTo", Record(db, "leases"));
    }

    private static string? Record(Database db, string collection)
    {
        using var read = db.BeginRead();
        return read.Get(read.GetKeyspace(collection + "#$indexes"), "$expiry"u8) is { } recorded ? System.Text.Encoding.UTF8.GetString(recorded) : null;
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

    /// <summary>A document with two instants either of which a version of the application may mark [ExpiresAt].</summary>
    private sealed class Lease
    {
        public long Id { get; init; }

        public DateTimeOffset? Ends { get; set; }

        public DateTimeOffset? ExtendedTo { get; set; }
    }

    /// <summary>
    /// "leases" as a version of the application declares it: [ExpiresAt] on <paramref name="member"/>, the schema naming
    /// it as generated code does, or not (<paramref name="named"/> false) as code generated before it was named.
    /// </summary>
    private sealed class Leases(Database database, string member, bool named = true)
        : Collection<Lease, long>(database, new LeaseSchema(member, named));

    /// <summary>What the generator emits for <see cref="Lease"/>, with [ExpiresAt] on <paramref name="member"/>.</summary>
    private sealed class LeaseSchema(string member, bool named)
        : DocumentSchema<Lease, long>("leases", [], ["Int64"], named ? member : null)
    {
        public override bool HasExpiresAt => true;

        public override DateTimeOffset? GetExpiresAt(Lease document) => member == nameof(Lease.Ends) ? document.Ends : document.ExtendedTo;

        public override long GetKey(Lease document) => document.Id;

        public override void WriteKey(ref KeyWriter writer, long key) => writer.WriteInt64(key);

        public override long ReadKey(ref KeyReader reader) => reader.ReadInt64();

        public override void Serialize(ref MessagePackWriter writer, Lease document)
        {
            writer.WriteMapHeader(2);
            writer.WriteStringUtf8("Ends"u8);
            Write(ref writer, document.Ends);
            writer.WriteStringUtf8("ExtendedTo"u8);
            Write(ref writer, document.ExtendedTo);
        }

        public override Lease Deserialize(ref MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey)
        {
            var key = new KeyReader(primaryKey);
            var document = new Lease { Id = key.ReadInt64() };
            var count = reader.ReadMapHeader();
            for (var i = 0; i < count; i++)
            {
                var name = reader.ReadStringSpan();
                if (name.SequenceEqual("Ends"u8))
                {
                    document.Ends = reader.TryReadNil() ? null : reader.ReadDateTimeOffset();
                }
                else if (name.SequenceEqual("ExtendedTo"u8))
                {
                    document.ExtendedTo = reader.TryReadNil() ? null : reader.ReadDateTimeOffset();
                }
                else
                {
                    reader.Skip();
                }
            }

            return document;
        }

        private static void Write(ref MessagePackWriter writer, DateTimeOffset? value)
        {
            if (value is { } instant)
            {
                writer.Write(instant);
            }
            else
            {
                writer.WriteNil();
            }
        }
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
