using Persistence.Collections;
using Persistence.Serialization;

namespace Persistence.Tests.Collections;

/// <summary>
/// <c>InsertMany</c> promises the outcome of writing its documents one by one, which an earlier design broke in ways a
/// caller can observe: it read up to a chunk of a lazy sequence before writing any of it (a sequence that reads the
/// transaction did not see the documents it yielded before; one that refills the same object handed over a single
/// document), and a refusal found in an index took back the chunk's documents after the refused one, which stayed among
/// the transaction's writes. Each test runs with chunks and one by one (<c>BulkChunk = 0</c>).
/// </summary>
public sealed class BulkInsertBufferingTests
{
    [Theory]
    [InlineData(1_024)]
    [InlineData(0)]
    public void A_sequence_that_skips_the_keys_the_transaction_holds_sees_the_documents_yielded_before(int bulkChunk)
    {
        using var db = Database.OpenInMemory();
        var users = new UserCollection(db) { BulkChunk = bulkChunk };
        using var tx = db.BeginWrite();
        tx.CreateKeyspace("promotes");

        // An import that skips what the transaction holds, with records that appear twice.
        var records = Enumerable.Range(0, 600).Concat(Enumerable.Range(300, 10)).Select(i => new User { Id = i, Email = $"u{i}@x" });
        users.InsertMany(records.Where(u => users.Get(u.Id, tx) is null), tx);
        Assert.Equal(600, users.Count(tx));
        Assert.Equal(0, users.BulkInserted);
        Assert.Empty(users.CheckConsistency(tx));
    }

    [Theory]
    [InlineData(1_024)]
    [InlineData(0)]
    public void A_sequence_that_refills_one_document_for_each_row_writes_every_row(int bulkChunk)
    {
        using var db = Database.OpenInMemory();
        var rows = new RowCollection(db) { BulkChunk = bulkChunk };
        using var tx = db.BeginWrite();
        tx.CreateKeyspace("promotes");
        rows.InsertMany(Read(600), tx);
        Assert.Equal(600, rows.Count(tx));
        Assert.Equal("r599", rows.Get(599, tx)?.Name);
        Assert.Equal("r0", rows.Get(0, tx)?.Name);
        Assert.Equal(0, rows.BulkInserted);
        Assert.Empty(rows.CheckConsistency(tx));

        // A reader that saves an allocation a row, as data readers and parsers often do.
        static IEnumerable<Row> Read(int count)
        {
            var row = new Row();
            for (var i = 0; i < count; i++)
            {
                row.Id = i;
                row.Name = $"r{i}";
                yield return row;
            }
        }
    }

    [Theory]
    [InlineData(1_024)]
    [InlineData(0)]
    public void A_document_refused_for_a_value_taken_in_its_chunk_leaves_the_documents_after_it_out_of_the_transactions_writes(int bulkChunk)
    {
        using var db = Database.OpenInMemory();
        var users = new UserCollection(db) { BulkChunk = bulkChunk };
        using var tx = db.BeginWrite();
        tx.CreateKeyspace("promotes");
        var records = Enumerable.Range(0, 1_000).Select(i => new User { Id = i, Email = i == 600 ? "u100@x" : $"u{i}@x" }).ToList();
        Assert.Throws<UniqueConstraintException>(() => users.InsertMany(records, tx));
        Assert.Equal(bulkChunk == 0 ? 0 : 600, users.BulkInserted); // the chunk's run ends before the repeated value

        // The caller keeps the 600 documents written before the refusal (as documented), while another writer inserts a
        // document this transaction never wrote: both commit.
        users.Insert(new User { Id = 800, Email = "other@x" });
        tx.Commit();
        Assert.Equal(601, users.Count());
        Assert.Empty(users.CheckConsistency());
    }

    /// <summary>
    /// A value already stored ends the chunk's run only when its entry is put, after the documents of the run and their
    /// entries in the trees before. The outcome is that of one by one, and so is the transaction's log: the documents
    /// after the refused one were put and taken back unlogged, so another writer's insert of one of them does not make
    /// the commit conflict.
    /// </summary>
    [Theory]
    [InlineData(1_024)]
    [InlineData(0)]
    public void A_document_refused_for_a_stored_value_in_the_middle_of_a_chunk_leaves_what_one_by_one_leaves(int bulkChunk)
    {
        using var db = Database.OpenInMemory();
        var users = new UserCollection(db) { BulkChunk = bulkChunk };
        users.Insert(new User { Id = -1, Email = "taken@x", Age = 7 });
        using var tx = db.BeginWrite();
        tx.CreateKeyspace("promotes");
        var records = Enumerable.Range(0, 1_000)
            .Select(i => new User { Id = i, Email = i == 600 ? "taken@x" : $"u{i}@x", Age = i % 10, ExpiresAt = i % 2 == 0 ? DateTimeOffset.MaxValue : null })
            .ToList();

        var refusal = Assert.Throws<UniqueConstraintException>(() => users.InsertMany(records, tx));
        Assert.Equal("Email", refusal.Index);
        Assert.Equal(bulkChunk == 0 ? 0 : 600, users.BulkInserted);
        Assert.Equal(601, users.Count(tx));
        Assert.Equal(-1, users.ByEmail.Get("taken@x", tx)?.Id);
        Assert.Equal(599, users.ByEmail.Get("u599@x", tx)?.Id);
        Assert.Null(users.Get(600, tx));
        Assert.Null(users.Get(601, tx));
        Assert.Equal(61, users.ByAge.Count(7, tx)); // -1, then 7, 17, ..., 597
        Assert.Equal(60, users.ByAge.Count(0, tx)); // 0, 10, ..., 590
        Assert.Empty(users.CheckConsistency(tx));
        users.Insert(new User { Id = 800, Email = "u800@x", Age = 0 }); // a key, value and entry the chunk put and took back
        tx.Commit();

        Assert.Equal(602, users.Count());
        Assert.Empty(users.CheckConsistency());
        TestDatabases.AssertConsistent(db);
    }

    public sealed class Row
    {
        public long Id { get; set; }

        public string Name { get; set; } = "";
    }

    private sealed class RowCollection(Database database) : Collection<Row, long>(database, RowSchema.Instance);

    private sealed class RowSchema : DocumentSchema<Row, long>
    {
        public static readonly RowSchema Instance = new();

        private RowSchema()
            : base("rows", [new NameIndex()])
        {
        }

        public override long GetKey(Row document) => document.Id;

        public override void WriteKey(ref KeyWriter writer, long key) => writer.WriteInt64(key);

        public override long ReadKey(ref KeyReader reader) => reader.ReadInt64();

        public override void Serialize(ref MessagePackWriter writer, Row document)
        {
            writer.WriteArrayHeader(1);
            writer.WriteString(document.Name);
        }

        public override Row Deserialize(ref MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey)
        {
            var id = new KeyReader(primaryKey).ReadInt64();
            reader.ReadArrayHeader();
            return new Row { Id = id, Name = reader.ReadNullableString() ?? "" };
        }
    }

    private sealed class NameIndex() : IndexSchema<Row>("Name", false, ["Name"])
    {
        public override bool WriteKey(ref KeyWriter writer, Row document)
        {
            writer.WriteString(document.Name);
            return true;
        }

        public override void SkipKey(ref KeyReader reader) => reader.ReadString();
    }
}
