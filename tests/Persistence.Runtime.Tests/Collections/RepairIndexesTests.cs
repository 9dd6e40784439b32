namespace Persistence.Tests.Collections;

/// <summary>
/// <c>RepairIndexes</c>: index and expiry entries damaged behind the collection's back (raw
/// keyspace writes) are put right from the documents, and nothing else changes.
/// </summary>
public sealed class RepairIndexesTests
{
    private static readonly DateTimeOffset Soon = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Consistent_collection_is_left_unwritten()
    {
        using var db = Database.OpenInMemory();
        var users = Seed(db);
        var version = db.GetStatistics().Version;

        Assert.Equal(0, users.RepairIndexes());

        Assert.Empty(users.CheckConsistency());
        Assert.Equal(version, db.GetStatistics().Version);
    }

    [Fact]
    public void Missing_stale_and_wrong_entries_are_repaired()
    {
        using var db = Database.OpenInMemory();
        var users = Seed(db);
        var good = Entries(db);

        db.Write(tx =>
        {
            var email = tx.GetKeyspace("users#Email");
            var age = tx.GetKeyspace("users#Age");
            var expiry = tx.GetKeyspace("users#$expiry");
            var firstEmail = tx.Scan(email).First();
            tx.Delete(email, firstEmail.Key);                           // missing
            tx.Put(email, "stale@example.com"u8, firstEmail.Value);     // stale, pointing at a real document
            var secondEmail = tx.Scan(email).Skip(1).First();
            tx.Put(email, secondEmail.Key, [.. secondEmail.Value, 0]);  // right key, wrong primary key
            tx.Delete(age, tx.Scan(age).Last().Key);                    // missing from a non-unique index
            tx.Delete(expiry, tx.Scan(expiry).First().Key);             // missing expiry entry
            tx.Put(expiry, [0x80, 0, 0, 0, 0, 0, 0, 1, 9, 9], []);      // orphan expiry entry
        });
        Assert.NotEmpty(users.CheckConsistency());

        Assert.Equal(6, users.RepairIndexes());

        Assert.Empty(users.CheckConsistency());
        Assert.Equal(good, Entries(db));
        Assert.Equal(0, users.RepairIndexes());
    }

    [Fact]
    public void A_repair_larger_than_its_batches_compares_and_fixes_every_entry()
    {
        // More differences than a batch of the comparison holds (4,096), on both sides of each resumption: entries
        // missing, stale and holding the wrong value, spread over the whole key range.
        using var db = Database.OpenInMemory();
        var users = new UserCollection(db);
        users.InsertMany(Enumerable.Range(0, 9000).Select(i => new User { Id = i, Email = $"user{i:D5}@example.com", Age = 20 + (i % 50) }));
        var good = Entries(db);
        var damaged = 0;
        db.Write(tx =>
        {
            var email = tx.GetKeyspace("users#Email");
            var age = tx.GetKeyspace("users#Age");
            var emails = tx.Scan(email).ToList();
            for (var i = 0; i < emails.Count; i++)
            {
                switch (i % 3)
                {
                    case 0:
                        tx.Delete(email, emails[i].Key); // missing
                        break;
                    case 1:
                        tx.Put(email, [.. emails[i].Key, 0x7a], emails[i].Value); // stale, just after a real one
                        break;
                    default:
                        tx.Put(email, emails[i].Key, [.. emails[i].Value, 0]); // the wrong primary key
                        break;
                }

                damaged++;
            }

            foreach (var (key, _) in tx.Scan(age).Where((_, i) => i % 4 == 0).ToList())
            {
                tx.Delete(age, key);
                damaged++;
            }
        });

        Assert.Equal(damaged, users.RepairIndexes());

        Assert.Equal(good, Entries(db)); // and no scratch keyspace is left
        Assert.Empty(users.CheckConsistency());
        Assert.Equal(0, users.RepairIndexes());
    }

    [Fact]
    public void Duplicate_unique_value_is_refused_and_nothing_changes()
    {
        using var db = Database.OpenInMemory();
        var users = Seed(db);

        // Two documents with the same Email, written under the index's back by copying one document over another key.
        db.Write(tx =>
        {
            var documents = tx.GetKeyspace("users");
            var (first, second) = (tx.Scan(documents).First(), tx.Scan(documents).Skip(1).First());
            tx.Put(documents, second.Key, first.Value);
        });
        var before = Entries(db);

        var refused = Assert.Throws<UniqueConstraintException>(() => users.RepairIndexes());

        Assert.Equal("Email", refused.Index);
        Assert.Equal(before, Entries(db));
    }

    [Fact]
    public void Repair_inside_a_caller_transaction_is_undone_by_rollback()
    {
        using var db = Database.OpenInMemory();
        var users = Seed(db);
        db.Write(tx => tx.Delete(tx.GetKeyspace("users#Age"), tx.Scan(tx.GetKeyspace("users#Age")).First().Key));
        var damaged = Entries(db);

        using (var tx = db.BeginWrite())
        {
            Assert.Equal(1, users.RepairIndexes(tx));
            Assert.Empty(users.CheckConsistency(tx));
        }

        Assert.Equal(damaged, Entries(db));
    }

    private static UserCollection Seed(Database db)
    {
        var users = new UserCollection(db);
        using var tx = db.BeginWrite();
        for (var i = 0; i < 40; i++)
        {
            users.Insert(new User { Id = i, Email = $"user{i}@example.com", Age = 20 + i % 5, ExpiresAt = i % 3 == 0 ? Soon.AddDays(i) : null }, tx);
        }

        tx.Commit();
        return users;
    }

    /// <summary>Every entry of the collection's keyspaces, as text, in keyspace and key order.</summary>
    private static List<string> Entries(Database db)
    {
        using var tx = db.BeginRead();
        return [.. tx.GetKeyspaces().Where(k => k.Name.StartsWith("users", StringComparison.Ordinal))
            .SelectMany(k => tx.Scan(k).Select(p => $"{k.Name} {Convert.ToHexString(p.Key)}={Convert.ToHexString(p.Value)}"))];
    }
}
