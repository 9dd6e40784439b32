namespace Persistence.Tests.Collections;

/// <summary>
/// A stored document is exactly one MessagePack value. Bytes after it (a value damaged or written by something else)
/// were ignored, and the document was returned as if whole; now every decode refuses it.
/// </summary>
public sealed class TrailingBytesTests
{
    [Fact]
    public void A_document_with_bytes_after_its_end_is_refused_not_returned()
    {
        using var db = Database.OpenInMemory();
        var users = new UserCollection(db);
        users.Insert(new User { Id = 1, Email = "a@example.com", Age = 30 });
        db.Write(tx =>
        {
            var documents = tx.GetKeyspace("users");
            var stored = tx.Scan(documents).Single();
            tx.Put(documents, stored.Key, [.. stored.Value, 0xC0]); // a nil after the map
        });

        var error = Assert.Throws<PersistenceSerializationException>(() => users.Get(1));

        Assert.Equal(ErrorCode.SerializationError, error.Code);
        Assert.Contains("1 byte(s) after its end", error.Message, StringComparison.Ordinal);
        Assert.Contains(users.CheckConsistency(), p => p.Contains("cannot be decoded", StringComparison.Ordinal));
    }
}
