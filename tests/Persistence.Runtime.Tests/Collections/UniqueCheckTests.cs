using Persistence.Collections;
using Persistence.Serialization;

namespace Persistence.Tests.Collections;

/// <summary>
/// A large transaction checks a unique index and puts the new entry in one descent (<c>WriteTransaction.TryAdd</c>);
/// a write refused by a later check takes back the entries the earlier checks put, so a refused write leaves nothing.
/// </summary>
public sealed class UniqueCheckTests
{
    [Theory]
    [InlineData(false)] // pending writes in the small transaction's overlay: the check only reads
    [InlineData(true)] // a private tree: the check adds the entry
    public void A_write_refused_by_its_second_unique_index_leaves_no_entry_in_its_first(bool large)
    {
        using var db = Database.OpenInMemory();
        var accounts = new AccountCollection(db);
        accounts.Insert(new Account { Id = 1, Email = "a@x", Phone = "111" });

        using (var tx = db.BeginWrite())
        {
            if (large)
            {
                tx.CreateKeyspace("promotes"); // a keyspace change moves the transaction to its private tree
            }

            var refused = Assert.Throws<UniqueConstraintException>(() => accounts.Insert(new Account { Id = 2, Email = "b@x", Phone = "111" }, tx));
            Assert.Equal("Phone", refused.Index);
            Assert.Empty(accounts.CheckConsistency(tx));

            // Had "b@x" stayed in the Email index (for document 2, which does not exist), this insert would be refused.
            accounts.Insert(new Account { Id = 3, Email = "b@x", Phone = "333" }, tx);

            // The first index refuses: nothing to take back.
            Assert.Throws<UniqueConstraintException>(() => accounts.Insert(new Account { Id = 4, Email = "a@x", Phone = "444" }, tx));
            accounts.Insert(new Account { Id = 5, Email = "e@x", Phone = "444" }, tx);
            tx.Commit();
        }

        Assert.Empty(accounts.CheckConsistency());
        Assert.Equal(3, accounts.Count());
        Assert.Equal(3, accounts.ByEmail("b@x")?.Id);
        Assert.Equal(5, accounts.ByPhone("444")?.Id);
        Assert.Null(accounts.Get(2));
        TestDatabases.AssertConsistent(db);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_insert_of_a_taken_key_is_refused_as_a_duplicate_first_and_leaves_no_entry(bool large)
    {
        using var db = Database.OpenInMemory();
        var accounts = new AccountCollection(db);
        accounts.Insert(new Account { Id = 1, Email = "a@x", Phone = "111" });
        accounts.Insert(new Account { Id = 2, Email = "b@x", Phone = "222" });

        using (var tx = db.BeginWrite())
        {
            if (large)
            {
                tx.CreateKeyspace("promotes"); // a large transaction puts the document and checks its key in one descent
            }

            // New unique values: the checks put them before the key turns out taken, and take them back.
            var duplicate = Assert.Throws<DocumentException>(() => accounts.Insert(new Account { Id = 1, Email = "new@x", Phone = "999" }, tx));
            Assert.Equal(ErrorCode.DuplicateKey, duplicate.Code);

            // A taken key and a value another document holds: the key is reported, as when it is looked up first.
            duplicate = Assert.Throws<DocumentException>(() => accounts.Insert(new Account { Id = 1, Email = "b@x", Phone = "999" }, tx));
            Assert.Equal(ErrorCode.DuplicateKey, duplicate.Code);
            Assert.Empty(accounts.CheckConsistency(tx));

            accounts.Insert(new Account { Id = 3, Email = "new@x", Phone = "999" }, tx); // the values were left free
            tx.Commit();
        }

        Assert.Empty(accounts.CheckConsistency());
        Assert.Equal("a@x", accounts.Get(1)?.Email);
        Assert.Equal(3, accounts.ByEmail("new@x")?.Id);
        Assert.Equal(3, accounts.ByPhone("999")?.Id);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_write_whose_serializer_throws_or_whose_value_is_too_long_leaves_no_entry(bool large)
    {
        using var db = Database.OpenInMemory();
        var accounts = new AccountCollection(db);
        using (var tx = db.BeginWrite())
        {
            if (large)
            {
                tx.CreateKeyspace("promotes");
            }

            // The document's serializer throws after both checks put their entries.
            Assert.Throws<InvalidOperationException>(() => accounts.Insert(new Account { Id = 2, Email = "b@x", Phone = Account.Throws }, tx));
            Assert.Empty(accounts.CheckConsistency(tx));

            // The second value is too long for a key: its check throws after the first put its entry.
            var tooLong = Assert.Throws<LimitExceededException>(() => accounts.Insert(new Account { Id = 2, Email = "b@x", Phone = new string('p', 5000) }, tx));
            Assert.Equal(ErrorCode.KeyTooLarge, tooLong.Code);
            Assert.Empty(accounts.CheckConsistency(tx));

            accounts.Insert(new Account { Id = 3, Email = "b@x", Phone = "333" }, tx); // refused if "b@x" had stayed
            tx.Commit();
        }

        Assert.Equal(3, accounts.ByEmail("b@x")?.Id);
    }

    [Fact]
    public void Inserts_refused_in_a_large_transaction_copy_no_leaf()
    {
        using var dir = new Persistence.Testing.TempDirectory();
        using var db = Database.Open(dir.File(), TestDatabases.Small());
        var accounts = new AccountCollection(db);
        db.Write(tx =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                accounts.Insert(new Account { Id = i, Email = $"{i}@x", Phone = $"p{i}" }, tx);
            }
        });
        db.Checkpoint();

        // An import that skips what it already holds: every insert is refused. Only the branches on the paths may be
        // copied (a few dozen nodes); copying the leaves found holding the keys made about 400 pages to write.
        using var again = db.BeginWrite();
        again.CreateKeyspace("promotes");
        var before = again.NodesCreated;
        for (var i = 0; i < 20_000; i++)
        {
            Assert.Throws<DocumentException>(() => accounts.Insert(new Account { Id = i, Email = $"{i}@x", Phone = $"p{i}" }, again));
        }

        Assert.InRange(again.NodesCreated - before, 0, 50);
    }

    [Fact]
    public void An_update_that_moves_a_unique_value_in_a_large_transaction_frees_the_old_one()
    {
        using var db = Database.OpenInMemory();
        var accounts = new AccountCollection(db);
        using (var tx = db.BeginWrite())
        {
            for (var i = 0; i < 500; i++) // past the overlay's limit: the transaction works on its private tree
            {
                accounts.Insert(new Account { Id = i, Email = $"{i}@x", Phone = $"p{i}" }, tx);
            }

            accounts.Update(new Account { Id = 7, Email = "moved@x", Phone = "p7" }, tx);
            accounts.Insert(new Account { Id = 1000, Email = "7@x", Phone = "p1000" }, tx); // the value 7 gave up
            Assert.Throws<UniqueConstraintException>(() => accounts.Upsert(new Account { Id = 8, Email = "moved@x", Phone = "p8" }, tx));
            accounts.Upsert(new Account { Id = 9, Email = "9@x", Phone = "p9" }, tx); // its own value: no conflict
            tx.Commit();
        }

        Assert.Empty(accounts.CheckConsistency());
        Assert.Equal(501, accounts.Count());
        Assert.Equal(7, accounts.ByEmail("moved@x")?.Id);
        Assert.Equal(1000, accounts.ByEmail("7@x")?.Id);
        Assert.Equal("8@x", accounts.Get(8)?.Email);
    }

    public sealed class Account
    {
        /// <summary>A phone number the serializer refuses (a getter that throws, say).</summary>
        public const string Throws = "throws";

        public long Id { get; init; }

        public string Email { get; set; } = "";

        public string Phone { get; set; } = "";
    }

    private sealed class AccountCollection(Database database) : Collection<Account, long>(database, AccountSchema.Instance)
    {
        public Account? ByEmail(string email) => Find(0, email);

        public Account? ByPhone(string phone) => Find(1, phone);

        private Account? Find(int index, string value)
        {
            using var read = Database.BeginRead();
            var writer = new KeyWriter(stackalloc byte[64]);
            try
            {
                writer.WriteString(value);
                return read.TryGet(IndexKeyspace(index), writer.ToArray(), out var key) ? Get(new KeyReader(key).ReadInt64(), read) : null;
            }
            finally
            {
                writer.Dispose();
            }
        }
    }

    private sealed class AccountSchema : DocumentSchema<Account, long>
    {
        public static readonly AccountSchema Instance = new();

        private AccountSchema()
            : base("accounts", [new UniqueString("Email", static a => a.Email), new UniqueString("Phone", static a => a.Phone)])
        {
        }

        public override long GetKey(Account document) => document.Id;

        public override void WriteKey(ref KeyWriter writer, long key) => writer.WriteInt64(key);

        public override long ReadKey(ref KeyReader reader) => reader.ReadInt64();

        public override void Serialize(ref MessagePackWriter writer, Account document)
        {
            if (document.Phone == Account.Throws)
            {
                throw new InvalidOperationException("The serializer refuses this document.");
            }

            writer.WriteArrayHeader(2);
            writer.WriteString(document.Email);
            writer.WriteString(document.Phone);
        }

        public override Account Deserialize(ref MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey)
        {
            var id = new KeyReader(primaryKey).ReadInt64();
            reader.ReadArrayHeader();
            return new Account { Id = id, Email = reader.ReadNullableString() ?? "", Phone = reader.ReadNullableString() ?? "" };
        }
    }

    private sealed class UniqueString(string name, Func<Account, string> value) : IndexSchema<Account>(name, true, [name])
    {
        public override bool WriteKey(ref KeyWriter writer, Account document)
        {
            writer.WriteString(value(document));
            return true;
        }

        public override void SkipKey(ref KeyReader reader) => reader.ReadString();
    }
}
