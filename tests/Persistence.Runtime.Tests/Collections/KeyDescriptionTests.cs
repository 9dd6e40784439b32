namespace Persistence.Tests.Collections;

/// <summary>
/// Primary keys named in messages: a key with bytes after its last part is named by its bytes alone, not as the key it
/// starts with.
/// </summary>
public sealed class KeyDescriptionTests
{
    /// <summary>
    /// A copy of user 2's document, undecodable, under user 2's key and a byte: the check names it by its bytes, where it
    /// named it "2", as if it were user 2 (whose own document decodes and is not reported).
    /// </summary>
    [Fact]
    public void A_key_with_bytes_after_its_last_part_is_named_by_its_bytes_alone()
    {
        using var db = Database.OpenInMemory();
        var users = new UserCollection(db);
        users.Insert(new User { Id = 2, Email = "b@example.com", Age = 30 });
        byte[] key = [];
        db.Write(tx =>
        {
            var documents = tx.GetKeyspace("users");
            var stored = tx.Scan(documents).Select(e => (Key: e.Key.ToArray(), Value: e.Value.ToArray())).Single();
            key = [.. stored.Key, 0x00];
            tx.Put(documents, key, [.. stored.Value, 0xC0]); // a nil after the map: it does not decode
        });

        var problems = users.CheckConsistency();

        Assert.Contains(problems, p => p.StartsWith($"Document 0x{Convert.ToHexString(key)} of 'users' cannot be decoded", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.StartsWith("Document 2 ", StringComparison.Ordinal));
    }
}
