namespace Persistence.Tests.Collections;

/// <summary>
/// A stored document whose bytes are intact but that its type cannot decode (bytes past its end, or a value of another
/// shape): <c>CheckConsistency</c> reports each such document once, with its key, not its entries besides.
/// </summary>
public sealed class UndecodableDocumentTests
{
    private static readonly DateTimeOffset Expires = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

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
}
