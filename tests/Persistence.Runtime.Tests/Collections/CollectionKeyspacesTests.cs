using Persistence.Collections;
using Persistence.Transactions;

namespace Persistence.Tests.Collections;

/// <summary>
/// A write conflict on a collection's keyspace speaks of the collection and the index, not of the keyspace the engine
/// keeps them in; a keyspace of no collection is still named as a keyspace. The error code stays WriteConflict.
/// </summary>
public sealed class CollectionKeyspacesTests
{
    [Fact]
    public void Two_inserts_of_one_unique_value_conflict_on_the_index_named_in_the_collections_terms()
    {
        using var db = Database.OpenInMemory();
        var users = new UserCollection(db);
        using var first = db.BeginWrite();
        using var second = db.BeginWrite();
        users.Insert(new User { Id = 1, Email = "ada@example.com", Age = 36 }, first);
        users.Insert(new User { Id = 2, Email = "ada@example.com", Age = 37 }, second);
        first.Commit();

        var conflict = Assert.Throws<WriteConflictException>(second.Commit);
        Assert.Equal(ErrorCode.WriteConflict, conflict.Code);
        Assert.Equal("users#Email", conflict.Keyspace);
        Assert.Contains("both wrote the same entry of index 'Email' of collection 'users' (in a unique index, the same value;", conflict.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("keyspace 'users#Email' after", conflict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_writes_of_one_document_conflict_on_the_collection()
    {
        using var db = Database.OpenInMemory();
        var users = new UserCollection(db);
        using var first = db.BeginWrite();
        using var second = db.BeginWrite();
        users.Insert(new User { Id = 1, Email = "ada@example.com", Age = 36 }, first);
        users.Insert(new User { Id = 1, Email = "grace@example.com", Age = 45 }, second);
        first.Commit();

        var conflict = Assert.Throws<WriteConflictException>(second.Commit);
        Assert.Equal("users", conflict.Keyspace);
        Assert.Contains("both wrote the same document of collection 'users'.", conflict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_retry_limit_names_the_index_too()
    {
        using var db = Database.OpenInMemory();
        var users = new UserCollection(db);
        var error = Assert.Throws<PersistenceException>(() => db.Write(tx =>
        {
            tx.Put(users.IndexKeyspace(0), "taken"u8.ToArray(), "1"u8.ToArray());
            db.Write(other => other.Put(users.IndexKeyspace(0), "taken"u8.ToArray(), "2"u8.ToArray()));
        }, new RetryPolicy { MaxAttempts = 2, BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero }));
        Assert.Equal(ErrorCode.RetryLimitExceeded, error.Code);
        Assert.Contains("after 2 attempts: the last time, it and another transaction both wrote the same entry of index 'Email' of collection 'users'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keyspaces_are_described_as_a_collections_only_when_the_collection_exists()
    {
        using var db = Database.OpenInMemory();
        _ = new UserCollection(db);
        db.Write(tx =>
        {
            tx.CreateKeyspace("plain");
            tx.CreateKeyspace("plain#Email"); // looks like an index, but "plain" is no collection
        });
        using var read = db.BeginRead();
        var catalog = read.CurrentCatalog;

        Assert.Equal("the same document of collection 'users'", CollectionKeyspaces.Describe("users", catalog));
        Assert.StartsWith("the same entry of index 'Age' of collection 'users' (", CollectionKeyspaces.Describe("users#Age", catalog), StringComparison.Ordinal);
        Assert.Equal("the same entry of the expiry index of collection 'users' (keyspace 'users#$expiry')", CollectionKeyspaces.Describe("users#$expiry", catalog));
        Assert.Equal("the same key in keyspace 'users#$repair:Email', which collection 'users' keeps for its own use", CollectionKeyspaces.Describe("users#$repair:Email", catalog));
        Assert.Equal("the same key in keyspace 'plain'", CollectionKeyspaces.Describe("plain", catalog));
        Assert.Equal("the same key in keyspace 'plain#Email'", CollectionKeyspaces.Describe("plain#Email", catalog));
        Assert.Equal("the same key in keyspace '#7'", CollectionKeyspaces.Describe("#7", catalog)); // a keyspace known only by its id
        Assert.Equal("the same key in keyspace 'users'", CollectionKeyspaces.Describe("users", Catalog.Empty));
    }
}
