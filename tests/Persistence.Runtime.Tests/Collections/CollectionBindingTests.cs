using Persistence.Testing;
using static Persistence.Tests.TestDatabases;

namespace Persistence.Tests.Collections;

/// <summary>
/// Constructing a collection whose keyspaces and index definitions are in place only reads: it commits nothing, and it
/// binds on a database that turned read-only (a failed fsync), whose data must stay readable.
/// </summary>
public sealed class CollectionBindingTests
{
    private static void TurnReadOnly(SimulatedFileSystem fs, Database db)
    {
        fs.Fault = point => point.Kind == FaultKind.Flush ? new IOException("injected fsync failure") : null;
        Assert.Throws<DatabaseReadOnlyException>(() => db.Write(tx => tx.Put(tx.GetOrCreateKeyspace("other"), Bytes("k"), Bytes("v"))));
        Assert.True(db.IsReadOnly);
    }

    private static List<User> Users(int count) =>
        Enumerable.Range(1, count).Select(i => new User { Id = i, Email = $"u{i}@example.com", Age = 20 + (i % 5), Name = "n" + i }).ToList();

    [Fact]
    public void A_collection_in_place_binds_without_a_commit()
    {
        using var db = Database.OpenInMemory();
        new UserCollection(db).InsertMany(Users(10));
        var before = db.GetStatistics();

        var again = new UserCollection(db);

        var after = db.GetStatistics();
        Assert.Equal((before.Version, before.Commits), (after.Version, after.Commits));
        Assert.Equal(10, again.Count());
    }

    [Fact]
    public void A_collection_binds_on_a_database_that_turned_read_only_and_reads_through_its_indexes()
    {
        var fs = new SimulatedFileSystem();
        using var db = Open(fs);
        new UserCollection(db).InsertMany(Users(10));
        TurnReadOnly(fs, db);

        var users = new UserCollection(db); // before: DatabaseReadOnlyException, so the data could no longer be read

        Assert.Equal("n3", users.Get(3)?.Name);
        Assert.Equal(7, users.ByEmail.Get("u7@example.com")?.Id);
        Assert.Equal([2, 7], users.ByAge.Find(22).Select(u => u.Id));
        Assert.Equal(4, users.Query().Where(u => u.Age.AtLeast(23)).Count());
        Assert.Throws<DatabaseReadOnlyException>(() => users.Insert(Users(11)[^1]));
    }

    [Fact]
    public void A_database_written_before_index_records_that_turned_read_only_binds_with_its_indexes_as_they_are()
    {
        var fs = new SimulatedFileSystem();
        using var db = Open(fs);
        new UserCollection(db).InsertMany(Users(10));
        db.Write(tx => tx.DeleteKeyspace(tx.GetKeyspace("users#$indexes"))); // as written before definitions were recorded
        TurnReadOnly(fs, db);

        var users = new UserCollection(db);

        Assert.Equal(5, users.ByEmail.Get("u5@example.com")?.Id);
        Assert.Equal(2, users.ByAge.Count(24));
    }

    [Fact]
    public void An_expiry_index_recorded_by_the_previous_release_binds_as_it_is_on_a_database_that_turned_read_only()
    {
        var fs = new SimulatedFileSystem();
        using var db = Open(fs);
        new UserCollection(db).InsertMany(Users(10));
        db.Write(tx => tx.Put(tx.GetKeyspace("users#$indexes"), "$expiry"u8, "2|expiry|Int64"u8)); // not saying where expiries come from
        TurnReadOnly(fs, db);

        var users = new UserCollection(db); // the write path would record it again (or build it): nothing to write here

        Assert.Equal(10, users.Count());
        Assert.Equal("n4", users.Get(4)?.Name);
    }

    [Fact]
    public void An_expiry_index_recorded_before_its_member_was_named_binds_as_it_is_on_a_database_that_turned_read_only()
    {
        var fs = new SimulatedFileSystem();
        using var db = Open(fs);
        new UserCollection(db).InsertMany(Users(10));
        db.Write(tx => tx.Put(tx.GetKeyspace("users#$indexes"), "$expiry"u8, "2|expiry|Int64|member"u8)); // not saying which member
        TurnReadOnly(fs, db);

        var users = new UserCollection(db); // the write path would build it again: nothing to write here

        Assert.Equal(10, users.Count());
        Assert.Equal("n4", users.Get(4)?.Name);
    }

    [Fact]
    public void On_a_read_only_database_an_expiry_index_recorded_from_another_member_is_refused()
    {
        var fs = new SimulatedFileSystem();
        using var db = Open(fs);
        new UserCollection(db).InsertMany(Users(3));
        db.Write(tx => tx.Put(tx.GetKeyspace("users#$indexes"), "$expiry"u8, "2|expiry|Int64|member:Renewal"u8)); // [ExpiresAt] moved since
        TurnReadOnly(fs, db);

        Assert.Throws<DatabaseReadOnlyException>(() => new UserCollection(db));
    }

    [Fact]
    public void On_a_read_only_database_a_collection_that_needs_a_write_is_refused()
    {
        var fs = new SimulatedFileSystem();
        using var db = Open(fs);
        new UserCollection(db).InsertMany(Users(3));
        db.Write(tx => tx.DeleteKeyspace(tx.GetKeyspace("users#Age"))); // an index to build again
        TurnReadOnly(fs, db);

        Assert.Throws<DatabaseReadOnlyException>(() => new UserCollection(db));
    }
}
