namespace Persistence.Tests.Collections;

/// <summary>
/// A stored document is exactly one MessagePack value under a key that is exactly its key's parts. Bytes after either
/// (a value damaged or written by something else) were ignored, and the document was returned as if whole; now every
/// decode refuses it.
/// </summary>
public sealed class TrailingBytesTests
{
    [Fact]
    public void A_document_with_bytes_after_its_end_is_refused_not_returned()
    {
        using var db = Database.OpenInMemory();
        var users = StoredUser(db, (key, value) => (key, [.. value, 0xC0])); // a nil after the map

        var error = Assert.Throws<PersistenceSerializationException>(() => users.Get(1));

        Assert.Equal(ErrorCode.SerializationError, error.Code);
        Assert.Contains("1 byte(s) after its end", error.Message, StringComparison.Ordinal);
        Assert.Contains(users.CheckConsistency(), p => p.Contains("cannot be decoded", StringComparison.Ordinal));
    }

    /// <summary>The generated key decoder reads the key's end after its last part (the hand-kept copy of UserSchema the tests once used did not).</summary>
    [Fact]
    public void A_primary_key_with_bytes_after_its_last_part_is_refused_when_the_document_is_decoded()
    {
        using var db = Database.OpenInMemory();
        var users = StoredUser(db, (key, value) => ([.. key, 0x00], value)); // the key's Int64 and one byte more

        var error = Assert.Throws<PersistenceSerializationException>(() => users.All().ToList());

        Assert.Equal(ErrorCode.SerializationError, error.Code);
        Assert.Contains("the end of the key", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Stores user 1 and replaces its stored entry with what <paramref name="rewrite"/> makes of it.</summary>
    private static UserCollection StoredUser(Database db, Func<byte[], byte[], (byte[] Key, byte[] Value)> rewrite)
    {
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com", Age = 30 });
        db.Write(tx =>
        {
            var documents = tx.GetKeyspace("users");
            var stored = tx.Scan(documents).Single();
            var (key, value) = rewrite(stored.Key.ToArray(), stored.Value.ToArray());
            tx.Delete(documents, stored.Key);
            tx.Put(documents, key, value);
        });
        return users;
    }
}
