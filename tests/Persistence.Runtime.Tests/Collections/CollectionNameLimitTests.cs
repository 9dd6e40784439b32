using Persistence.Collections;
using Persistence.Serialization;

namespace Persistence.Tests.Collections;

/// <summary>
/// A collection keeps index <c>I</c> in keyspace <c>collection#I</c>, and a keyspace name takes at most 255 UTF-8
/// bytes. An index whose keyspace name is over it is refused at the collection's construction, naming the collection,
/// the index and the limit, before anything is created; every combination under it works throughout, a repair's
/// scratch keyspaces included.
/// </summary>
public sealed class CollectionNameLimitTests
{
    private static readonly string LongestCollection = new('c', 200);

    [Fact]
    public void An_index_whose_keyspace_name_is_over_255_bytes_is_refused_at_construction_naming_both_names()
    {
        using var db = Database.OpenInMemory();
        var index = new string('I', 55); // 200 + '#' + 55 = 256 bytes

        var error = Assert.Throws<KeyspaceException>(() => new NamedUsers(db, LongestCollection, index));

        Assert.Equal(ErrorCode.InvalidKeyspaceName, error.Code);
        Assert.Equal(LongestCollection, error.Keyspace); // the collection the application named, not a derived keyspace
        Assert.Contains($"Index '{index}' of collection '{LongestCollection}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("255", error.Message, StringComparison.Ordinal);
        using var read = db.BeginRead();
        Assert.False(read.TryGetKeyspace(LongestCollection, out _)); // refused before anything was created
    }

    [Fact]
    public void A_collection_and_index_name_that_just_fit_are_repaired_as_any_other()
    {
        using var db = Database.OpenInMemory();
        var index = new string('I', 54); // 200 + '#' + 54 = 255 bytes: the index's keyspace just fits
        var users = new NamedUsers(db, LongestCollection, index);
        for (var i = 1; i <= 3; i++)
        {
            users.Insert(new User { Id = i, Email = $"{i}@example.com" });
        }

        db.Write(tx =>
        {
            var entries = tx.GetKeyspace($"{LongestCollection}#{index}");
            tx.Delete(entries, tx.Scan(entries).First().Key); // a missing entry, for the repair to rebuild
        });
        Assert.NotEmpty(users.CheckConsistency());

        Assert.True(users.RepairIndexes() > 0); // its scratch keyspaces are named within the limit
        Assert.Empty(users.CheckConsistency());
    }

    [Fact]
    public void The_limit_counts_utf8_bytes_not_characters()
    {
        using var db = Database.OpenInMemory();
        var over = new string('\u00e9', 28); // 28 characters, 56 bytes: 200 + '#' + 56 = 257 bytes in 229 characters

        var error = Assert.Throws<KeyspaceException>(() => new NamedUsers(db, LongestCollection, over));

        Assert.Equal(ErrorCode.InvalidKeyspaceName, error.Code);
        Assert.Equal(LongestCollection, error.Keyspace); // refused at construction, not by the binding's write
        Assert.Contains($"Index '{over}'", error.Message, StringComparison.Ordinal);

        var fits = new string('\u00e9', 27); // 54 bytes: 255 in all
        var users = new NamedUsers(db, LongestCollection, fits);
        users.Insert(new User { Id = 1, Email = "1@example.com" });
        Assert.Equal(1, users.Count());
    }

    private sealed class NamedUsers(Database database, string collection, string index)
        : Collection<User, long>(database, new NamedSchema(collection, index));

    private sealed class NamedSchema(string collection, string index)
        : DocumentSchema<User, long>(collection, [new EmailIndex(index)], UserSchema.Instance.KeyEncodings, null)
    {
        public override long GetKey(User document) => UserSchema.Instance.GetKey(document);

        public override void WriteKey(ref KeyWriter writer, long key) => UserSchema.Instance.WriteKey(ref writer, key);

        public override long ReadKey(ref KeyReader reader) => UserSchema.Instance.ReadKey(ref reader);

        public override void Serialize(ref MessagePackWriter writer, User document) => UserSchema.Instance.Serialize(ref writer, document);

        public override User Deserialize(ref MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey) => UserSchema.Instance.Deserialize(ref reader, primaryKey);
    }

    private sealed class EmailIndex(string name) : IndexSchema<User>(name, unique: true, ["Email"], ["String"])
    {
        public override bool WriteKey(ref KeyWriter writer, User document)
        {
            writer.WriteString(document.Email);
            return true;
        }

        public override void SkipKey(ref KeyReader reader) => reader.ReadString();
    }
}
